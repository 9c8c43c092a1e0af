package dev.tripletcuda.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

class FewShotTest {

  @Test
  void prototypeIsTheMeanOfTheSupports() {
    assertArrayEquals(new float[] {2, 3}, FewShot.prototype(new float[] {1, 2, 3, 4}, 2));
    assertThrows(IllegalArgumentException.class, () -> FewShot.prototype(new float[0], 2));
    assertThrows(IllegalArgumentException.class, () -> FewShot.prototype(new float[3], 2));
  }

  @Test
  void nearestPrototypeBreaksTiesByRow() {
    float[] protos = {0, 0, 2, 0, 1, 5};
    assertArrayEquals(new int[] {0, 1, 0, 2}, FewShot.nearestPrototype(protos,
        new float[] {0.2f, 0, 1.9f, 0, 1, 0, 1, 4}, 2));
  }

  @Test
  void verificationEpisodesAlternateMatchAndMismatchAndRepeat() {
    ClusteredEmbeddings c = ClusteredEmbeddings.make(100, 4, 6, 0.05, 1);
    LabelledDistances a = FewShot.verificationEpisodes(c.points, c.labels, 6, 3, 50, 7);
    LabelledDistances b = FewShot.verificationEpisodes(c.points, c.labels, 6, 3, 50, 7);
    assertEquals(25, a.positives());
    for (int e = 0; e < 50; e++) {
      assertEquals(e % 2 == 0, a.same(e));
      assertEquals(a.distance(e), b.distance(e));
      // Tight clusters sqrt(2) apart: matches are near, mismatches about 2 away.
      assertTrue(a.same(e) ? a.distance(e) < 0.2 : a.distance(e) > 1.5, "episode " + e);
    }
  }

  @Test
  void nWayAccuracyIsOneOnSeparatedClustersAndChanceOnNoise() {
    ClusteredEmbeddings c = ClusteredEmbeddings.make(200, 5, 6, 0.05, 2);
    assertEquals(1.0, FewShot.nWayAccuracy(c.points, c.labels, 6, 5, 3, 5, 100, 3));
    // Labels unrelated to the points: about 1 / 5.
    ClusteredEmbeddings noise = ClusteredEmbeddings.make(1000, 5, 6, 50, 4);
    int[] shuffled = new int[1000];
    for (int i = 0; i < 1000; i++) {
      shuffled[i] = (i * 7 / 3) % 5;
    }
    double acc = FewShot.nWayAccuracy(noise.points, shuffled, 6, 5, 3, 5, 400, 5);
    assertEquals(0.2, acc, 0.05);
  }

  @Test
  void tooFewClassesOrRowsAreClearErrors() {
    ClusteredEmbeddings c = ClusteredEmbeddings.make(12, 3, 4, 0.1, 1);
    IllegalArgumentException ways = assertThrows(IllegalArgumentException.class,
        () -> FewShot.nWayAccuracy(c.points, c.labels, 4, 5, 3, 1, 10, 1));
    assertEquals("5-way 3-shot episodes with 1 queries per class need 5 classes of at least 4 "
        + "rows; the data has 3", ways.getMessage());
    // Four rows per class: 3 shots + 1 query fit, 3 shots + 2 queries do not.
    assertThrows(IllegalArgumentException.class,
        () -> FewShot.nWayAccuracy(c.points, c.labels, 4, 2, 3, 2, 10, 1));
    assertThrows(IllegalArgumentException.class,
        () -> FewShot.verificationEpisodes(c.points, new int[12], 4, 3, 10, 1));
    assertThrows(IllegalArgumentException.class,
        () -> FewShot.verificationEpisodes(c.points, c.labels, 4, 4, 10, 1));
    assertThrows(IllegalArgumentException.class,
        () -> FewShot.verificationEpisodes(c.points, c.labels, 4, 0, 10, 1));
    assertThrows(IllegalArgumentException.class,
        () -> FewShot.verificationEpisodes(c.points, c.labels, 5, 3, 10, 1));
  }

  @Test
  void pairsCoverEveryUnorderedPairWithItsDistance() {
    int n = 2100;
    int dim = 3;
    // Enough rows for several distance blocks.
    assertTrue((long) n * n > Pairs.BLOCK_ELEMENTS);
    ClusteredEmbeddings c = ClusteredEmbeddings.make(n, 3, dim, 0.3, 8);
    try (CpuBackend backend = new CpuBackend(2)) {
      LabelledDistances p = Pairs.all(backend, c.points, c.labels, dim, n, 1);
      assertEquals(Pairs.count(n), p.size());
      int k = 0;
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++, k++) {
          double want = FewShot.squaredDistance(c.points, i * dim, c.points, j * dim, dim);
          assertEquals(want, p.distance(k), 1e-5 + 1e-5 * want, "pair " + i + "," + j);
          assertEquals(c.labels[i] == c.labels[j], p.same(k));
        }
      }
      // A subset of 10 rows: 45 pairs, seeded.
      LabelledDistances s = Pairs.all(backend, c.points, c.labels, dim, 10, 5);
      assertEquals(45, s.size());
      assertEquals(s.distance(44), Pairs.all(backend, c.points, c.labels, dim, 10, 5)
          .distance(44));
      assertThrows(IllegalArgumentException.class,
          () -> Pairs.all(backend, new float[3], new int[1], 3, 10, 1));
      assertThrows(IllegalArgumentException.class,
          () -> Pairs.all(backend, new float[5], new int[2], 3, 10, 1));
    }
  }
}
