package dev.tripletcuda.knn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.io.InvalidDataException;
import dev.tripletcuda.verify.ClusteredEmbeddings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KnnIndexTest {

  private static CpuBackend backend;

  @BeforeAll
  static void open() {
    backend = new CpuBackend(2);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  /** The plain reference: every distance in double, sorted by (distance, row). */
  static int[] referenceRows(float[] base, float[] queries, int dim, int k, Metric metric) {
    int n = base.length / dim;
    int q = queries.length / dim;
    int[] out = new int[q * k];
    for (int i = 0; i < q; i++) {
      double[] d = new double[n];
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) {
        d[j] = referenceDistance(queries, i, base, j, dim, metric);
        order[j] = j;
      }
      Arrays.sort(order, (a, b) -> d[a] != d[b] ? Double.compare(d[a], d[b]) : a - b);
      for (int r = 0; r < k; r++) {
        out[i * k + r] = order[r];
      }
    }
    return out;
  }

  static double referenceDistance(float[] x, int i, float[] y, int j, int dim, Metric m) {
    double dot = 0;
    double nx = 0;
    double ny = 0;
    double l2 = 0;
    for (int t = 0; t < dim; t++) {
      double a = x[i * dim + t];
      double b = y[j * dim + t];
      dot += a * b;
      nx += a * a;
      ny += b * b;
      l2 += (a - b) * (a - b);
    }
    switch (m) {
      case SQUARED_L2:
        return l2;
      case COSINE:
        return 1 - dot / Math.sqrt(nx * ny);
      default:
        return -dot;
    }
  }

  /**
   * Compares with the reference by distance: a neighbour may differ from the reference's only
   * where float rounding makes two distances equal within tolerance.
   */
  static void assertSameNeighbours(float[] base, float[] queries, int dim, int k, Metric m,
      Neighbors nn) {
    int[] ref = referenceRows(base, queries, dim, k, m);
    int q = queries.length / dim;
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < q; i++) {
      for (int r = 0; r < k; r++) {
        double want = referenceDistance(queries, i, base, ref[i * k + r], dim, m);
        double got = nn.distance(i, r);
        double tol = 1e-4 + 1e-4 * Math.abs(want);
        if (Math.abs(got - want) > tol
            || Math.abs(referenceDistance(queries, i, base, nn.row(i, r), dim, m) - want) > tol) {
          bad.add("(" + i + "," + r + "): row " + nn.row(i, r) + " d=" + got + ", reference row "
              + ref[i * k + r] + " d=" + want);
        }
        if (r > 0 && !(nn.distance(i, r) >= nn.distance(i, r - 1))) {
          bad.add("(" + i + "," + r + "): distances not ascending");
        }
      }
    }
    if (!bad.isEmpty()) {
      fail("metric " + m + ", n=" + base.length / dim + ", q=" + q + ", dim=" + dim + ", k=" + k
          + ": " + bad.size() + " mismatches, first: " + bad.subList(0, Math.min(5,
              bad.size())));
    }
  }

  @ParameterizedTest(name = "{0} n={1} q={2} dim={3} k={4}")
  @CsvSource({
      "squared-l2, 1, 1, 1, 1",
      "squared-l2, 31, 13, 7, 1",
      "squared-l2, 257, 33, 31, 10",
      "squared-l2, 257, 5, 33, 257",
      "squared-l2, 4097, 3, 3, 100",
      "cosine, 31, 13, 7, 5",
      "cosine, 257, 33, 31, 257",
      "inner-product, 31, 13, 7, 5",
      "inner-product, 257, 33, 31, 31",
  })
  void searchMatchesTheReference(String metric, int n, int q, int dim, int k) {
    Metric m = Metric.parse(metric);
    float[] base = ClusteredEmbeddings.random(n * dim, n);
    float[] queries = ClusteredEmbeddings.random(q * dim, q + 1000);
    try (KnnIndex index = KnnIndex.builder(base, dim).metric(m).build(backend)) {
      assertSameNeighbours(base, queries, dim, k, m, index.search(queries, k));
    }
  }

  @Test
  void searchSplitsManyQueriesIntoBlocksWithTheSameResult() {
    int dim = 128;
    int q = KnnIndex.QUERY_BLOCK_ELEMENTS / dim + 7;
    float[] base = ClusteredEmbeddings.random(20 * dim, 1);
    float[] queries = ClusteredEmbeddings.random(q * dim, 2);
    try (KnnIndex index = KnnIndex.builder(base, dim).build(backend)) {
      Neighbors all = index.search(queries, 3);
      float[] tail = Arrays.copyOfRange(queries, (q - 7) * dim, q * dim);
      Neighbors last = index.search(tail, 3);
      for (int i = 0; i < 7; i++) {
        for (int r = 0; r < 3; r++) {
          assertEquals(last.row(i, r), all.row(q - 7 + i, r));
          assertEquals(last.distance(i, r), all.distance(q - 7 + i, r));
        }
      }
    }
  }

  @Test
  void searchAcrossPassesAndTilesIsTheSameOnOneOrTwoThreads() {
    // 1500 queries make two passes of the CPU search; 1100 rows make three distance tiles.
    int dim = 5;
    float[] base = ClusteredEmbeddings.random(1100 * dim, 11);
    float[] queries = ClusteredEmbeddings.random(1500 * dim, 12);
    try (CpuBackend one = new CpuBackend(1);
        KnnIndex a = KnnIndex.builder(base, dim).build(one);
        KnnIndex b = KnnIndex.builder(base, dim).build(backend)) {
      for (int k : new int[] {1, 7, 1100}) {
        Neighbors x = a.search(queries, k);
        Neighbors y = b.search(queries, k);
        assertArrayEquals(x.rows(), y.rows(), "k=" + k);
        assertArrayEquals(x.distances(), y.distances(), "k=" + k);
      }
      assertSameNeighbours(base, Arrays.copyOf(queries, 40 * dim), dim, 7, Metric.SQUARED_L2,
          b.search(Arrays.copyOf(queries, 40 * dim), 7));
    }
  }

  @Test
  void tiesGoToTheLowerRow() {
    // Rows 1, 3 and 4 are equal; row 0 is farther, row 2 nearest.
    float[] base = {5, 5, 1, 1, 0, 0, 1, 1, 1, 1};
    try (KnnIndex index = KnnIndex.builder(base, 2).build(backend)) {
      Neighbors nn = index.search(new float[] {0.1f, 0.1f}, 5);
      assertArrayEquals(new int[] {2, 1, 3, 4, 0}, nn.rows());
      assertEquals(nn.distance(0, 1), nn.distance(0, 2));
      assertEquals(nn.distance(0, 2), nn.distance(0, 3));
    }
  }

  @Test
  void kEqualToTheRowCountReturnsEveryRowOnce() {
    float[] base = ClusteredEmbeddings.random(50 * 4, 3);
    try (KnnIndex index = KnnIndex.builder(base, 4).build(backend)) {
      int[] rows = index.search(ClusteredEmbeddings.random(4, 4), 50).rows();
      Arrays.sort(rows);
      for (int i = 0; i < 50; i++) {
        assertEquals(i, rows[i]);
      }
    }
  }

  @Test
  void kOutsideOneToNIsAClearError() {
    try (KnnIndex index = KnnIndex.builder(new float[] {1, 2, 3, 4}, 2).build(backend)) {
      IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
          () -> index.search(new float[] {0, 0}, 3));
      assertEquals("k=3, expected 1..2 (the number of index rows)", big.getMessage());
      assertThrows(IllegalArgumentException.class, () -> index.search(new float[] {0, 0}, 0));
    }
  }

  @Test
  void noQueriesGiveAnEmptyResult() {
    try (KnnIndex index = KnnIndex.builder(new float[] {1, 2, 3, 4}, 2).build(backend)) {
      Neighbors nn = index.search(new float[0], 2);
      assertEquals(0, nn.queries());
      assertEquals(0, nn.rows().length);
    }
  }

  @Test
  void badInputsAreClearErrors() {
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> KnnIndex.builder(new float[0], 4).build(backend));
    assertTrue(empty.getMessage().contains("at least one row"), empty.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> KnnIndex.builder(new float[5], 2).build(backend));
    assertThrows(IllegalArgumentException.class,
        () -> KnnIndex.builder(new float[] {1, Float.NaN}, 2).build(backend));
    assertThrows(IllegalArgumentException.class,
        () -> KnnIndex.builder(new float[4], 2).labels(new int[] {0}, null).build(backend));
    assertThrows(IllegalArgumentException.class,
        () -> KnnIndex.builder(new float[4], 2).labels(new int[] {0, 2}, List.of("a", "b"))
            .build(backend));
    assertThrows(IllegalArgumentException.class,
        () -> KnnIndex.builder(new float[4], 2).ids(List.of("x")).build(backend));
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> KnnIndex.builder(new float[] {1, 0, 0, 0}, 2).metric(Metric.COSINE)
            .build(backend));
    assertTrue(zero.getMessage().contains("row 1 is all zeros"), zero.getMessage());

    try (KnnIndex index = KnnIndex.builder(new float[] {1, 2, 3, 4, 5, 6}, 3).build(backend)) {
      IllegalArgumentException dim = assertThrows(IllegalArgumentException.class,
          () -> index.search(new float[] {1, 2, 3, 4}, 1));
      assertTrue(dim.getMessage().contains("index dim 3"), dim.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> index.search(new float[] {1, Float.POSITIVE_INFINITY, 3}, 1));
      assertThrows(IllegalStateException.class, () -> index.classify(new float[3], 1, false));
    }
  }

  @Test
  void cosineDistanceIsOneMinusTheCosine() {
    try (KnnIndex index = KnnIndex.builder(new float[] {2, 0, 0, 3, -1, 0}, 2)
        .metric(Metric.COSINE).build(backend)) {
      Neighbors nn = index.search(new float[] {1, 1}, 3);
      assertEquals(0, nn.row(0, 0));
      assertEquals(1 - Math.sqrt(0.5), nn.distance(0, 0), 1e-6);
      assertEquals(1, nn.row(0, 1));
      assertEquals(2, nn.row(0, 2));
      assertEquals(1 + Math.sqrt(0.5), nn.distance(0, 2), 1e-6);
    }
  }

  @Test
  void classifyTakesTheMajorityAndBreaksTiesByTheNearestMember() {
    // Rows on a line at 0..5 with labels a a b b b c.
    float[] base = {0, 1, 2, 3, 4, 5};
    int[] labels = {0, 0, 1, 1, 1, 2};
    try (KnnIndex index = KnnIndex.builder(base, 1).labels(labels, List.of("a", "b", "c"))
        .build(backend)) {
      // Query 0.4, k=4: rows 0,1,2,3 -> a a b b, tie; row 0 (a) ranks first.
      assertArrayEquals(new int[] {0}, index.classify(new float[] {0.4f}, 4, false));
      // Query 1.6, k=4: rows 2,1,3,0 -> b a b a, tie; b's row 2 ranks first.
      assertArrayEquals(new int[] {1}, index.classify(new float[] {1.6f}, 4, false));
      // Query 4.9, k=5: c b b b a -> b by majority.
      assertArrayEquals(new int[] {1}, index.classify(new float[] {4.9f}, 5, false));
      // Weighted: c is at distance 0.01^2, far nearer than the b's.
      assertArrayEquals(new int[] {2}, index.classify(new float[] {4.9f}, 5, true));
      assertEquals("c", index.classNames().get(2));
    }
  }

  @Test
  void weightedVotesNeedNonNegativeDistances() {
    try (KnnIndex index = KnnIndex.builder(new float[] {1, 2}, 1).labels(new int[] {0, 1}, null)
        .metric(Metric.INNER_PRODUCT).build(backend)) {
      assertThrows(IllegalArgumentException.class,
          () -> index.classify(new float[] {1}, 2, true));
      assertArrayEquals(new int[] {1}, index.classify(new float[] {1}, 1, false));
    }
  }

  @Test
  void saveAndLoadKeepEverything(@TempDir Path dir) throws Exception {
    float[] base = ClusteredEmbeddings.random(40 * 6, 9);
    int[] labels = new int[40];
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      labels[i] = i % 3;
      ids.add("item,\"" + i + "\"");
    }
    Path file = dir.resolve("index.safetensors");
    float[] queries = ClusteredEmbeddings.random(5 * 6, 10);
    Neighbors before;
    try (KnnIndex index = KnnIndex.builder(base, 6).labels(labels, List.of("x", "y", "z"))
        .ids(ids).metric(Metric.COSINE).metadata(Map.of("model_fingerprint", "abc"))
        .build(backend)) {
      before = index.search(queries, 7);
      index.save(file);
    }
    try (KnnIndex loaded = KnnIndex.load(file, backend)) {
      assertEquals(Metric.COSINE, loaded.metric());
      assertEquals(40, loaded.size());
      assertEquals(6, loaded.dim());
      assertEquals("item,\"7\"", loaded.id(7));
      assertEquals(1, loaded.label(7));
      assertEquals(List.of("x", "y", "z"), loaded.classNames());
      assertEquals("abc", loaded.metadata().get("model_fingerprint"));
      Neighbors after = loaded.search(queries, 7);
      assertArrayEquals(before.rows(), after.rows());
      assertArrayEquals(before.distances(), after.distances());
    }
  }

  @Test
  void loadingSomethingElseIsAClearError(@TempDir Path dir) throws Exception {
    Path notIndex = dir.resolve("model.safetensors");
    dev.tripletcuda.io.SafeTensors.write(notIndex, Map.of("w",
        new dev.tripletcuda.io.SafeTensors.Entry(new long[] {1}, new float[] {1})), Map.of());
    InvalidDataException e = assertThrows(InvalidDataException.class,
        () -> KnnIndex.load(notIndex, backend));
    assertTrue(e.getMessage().contains("not a saved index"), e.getMessage());

    Path badLabels = dir.resolve("bad.safetensors");
    dev.tripletcuda.io.SafeTensors.write(badLabels, Map.of(
        "vectors", new dev.tripletcuda.io.SafeTensors.Entry(new long[] {2, 1}, new float[2]),
        "labels", new dev.tripletcuda.io.SafeTensors.Entry(new long[] {2},
            new float[] {0, 1.5f})),
        Map.of("format", KnnIndex.FORMAT, "metric", "squared-l2", "classes", "[\"a\",\"b\"]"));
    InvalidDataException l = assertThrows(InvalidDataException.class,
        () -> KnnIndex.load(badLabels, backend));
    assertTrue(l.getMessage().contains("entry 1 is 1.5"), l.getMessage());

    Path truncated = dir.resolve("cut.safetensors");
    Path good = dir.resolve("good.safetensors");
    try (KnnIndex index = KnnIndex.builder(new float[] {1, 2, 3, 4}, 2).build(backend)) {
      index.save(good);
    }
    byte[] bytes = Files.readAllBytes(good);
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 3));
    assertThrows(InvalidDataException.class, () -> KnnIndex.load(truncated, backend));
  }

  @Test
  void metricNamesParse() {
    assertEquals(Metric.SQUARED_L2, Metric.parse("l2"));
    assertEquals(Metric.INNER_PRODUCT, Metric.parse(" IP "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Metric.parse("manhattan"));
    assertEquals("metric='manhattan', expected squared-l2, cosine or inner-product",
        e.getMessage());
  }
}
