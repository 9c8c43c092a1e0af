package dev.tripletcuda.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.testing.Random32;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KnnCpuTest {

  private final CpuBackend backend = new CpuBackend(2);

  @AfterEach
  void close() {
    backend.close();
  }

  /** Runs backend.knn and returns {indices, distances}. */
  private Object[] knn(float[] q, int nq, float[] base, int n, int d, int k, boolean ip) {
    try (Tensor tq = backend.allocate(nq, d); Tensor tb = backend.allocate(n, d);
        Tensor norms = backend.allocate(n, 1); IntTensor idx = backend.allocateInts(nq * k);
        Tensor dist = backend.allocate(nq, k)) {
      backend.upload(q, 0, tq);
      backend.upload(base, 0, tb);
      backend.rowSquaredNorms(tb, norms);
      backend.knn(tq, tb, norms, k, ip, idx, dist);
      int[] i = new int[nq * k];
      float[] v = new float[nq * k];
      backend.download(idx, i, 0);
      backend.download(dist, v, 0);
      return new Object[] {i, v};
    }
  }

  @ParameterizedTest(name = "Q={0} N={1} D={2} k={3}")
  @CsvSource({"1,1,1,1", "31,33,3,5", "33,257,128,33", "5,3000,16,100", "7,2500,8,2500"})
  void knnReturnsTheSameDistancesAsBruteForceInOrder(int nq, int n, int d, int k) {
    float[] q = Random32.gaussian(nq, nq * d);
    float[] base = Random32.gaussian(n + 99, n * d);
    Object[] r = knn(q, nq, base, n, d, k, false);
    float[] dist = (float[]) r[1];
    int[] idx = (int[]) r[0];
    float[] all = new float[n];
    try (Tensor tq = backend.allocate(nq, d); Tensor tb = backend.allocate(n, d);
        Tensor pd = backend.allocate(nq, n)) {
      backend.upload(q, 0, tq);
      backend.upload(base, 0, tb);
      backend.pairwiseSquaredL2(tq, tb, pd);
      float[] full = new float[nq * n];
      backend.download(pd, full, 0);
      for (int i = 0; i < nq; i++) {
        System.arraycopy(full, i * n, all, 0, n);
        int row = i;
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(j -> all[j])
            .thenComparingInt(j -> j));
        for (int j = 0; j < k; j++) {
          float want = all[order[j]];
          float got = dist[row * k + j];
          assertEquals(want, got, 1e-4f + 1e-4f * want, "query " + i + " rank " + j);
          assertEquals(full[i * n + idx[row * k + j]], got, 1e-4f + 1e-4f * want,
              "index and distance agree at query " + i + " rank " + j);
        }
      }
    }
  }

  @Test
  void tiesGoToTheLowerIndexAndRunsRepeat() {
    // Base rows 0..5 are copies of two points; every query ties in pairs.
    float[] base = {1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1};
    float[] q = {1, 0};
    int[] idx = (int[]) knn(q, 1, base, 6, 2, 6, false)[0];
    assertArrayEquals(new int[] {0, 2, 4, 1, 3, 5}, idx);
    int[] again = (int[]) knn(q, 1, base, 6, 2, 6, false)[0];
    assertArrayEquals(idx, again);
  }

  @ParameterizedTest(name = "k={0}")
  @ValueSource(ints = {1, 3, 16, 17, 40})
  void tiesAcrossTilesGoToTheLowerIndex(int k) {
    // Small integers: every distance is exact, and thousands of rows share a few values, so the
    // order is decided by the tie rule alone, across several base tiles.
    int n = 3000;
    int d = 4;
    // 400 queries make a pass whose tile holds 1,310 base rows: three tiles.
    int nq = 400;
    java.util.SplittableRandom r = new java.util.SplittableRandom(k);
    float[] base = new float[n * d];
    float[] q = new float[nq * d];
    for (int i = 0; i < base.length; i++) {
      base[i] = r.nextInt(3);
    }
    for (int i = 0; i < q.length; i++) {
      q[i] = r.nextInt(3);
    }
    int[] idx = (int[]) knn(q, nq, base, n, d, k, false)[0];
    for (int i = 0; i < nq; i++) {
      long[] keys = new long[n];
      for (int j = 0; j < n; j++) {
        int s = 0;
        for (int t = 0; t < d; t++) {
          int diff = (int) (q[i * d + t] - base[j * d + t]);
          s += diff * diff;
        }
        keys[j] = (long) s << 32 | j;
      }
      Arrays.sort(keys);
      for (int j = 0; j < k; j++) {
        assertEquals((int) keys[j], idx[i * k + j], "query " + i + " rank " + j + " k=" + k);
      }
    }
  }

  @Test
  void innerProductRanksLargestDotFirst() {
    float[] base = {1, 0, 2, 0, -1, 0};
    float[] q = {1, 0};
    Object[] r = knn(q, 1, base, 3, 2, 3, true);
    assertArrayEquals(new int[] {1, 0, 2}, (int[]) r[0]);
    assertArrayEquals(new float[] {-2f, -1f, 1f}, (float[]) r[1]);
  }

  @Test
  void kOutOfRangeIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> knn(new float[2], 1, new float[6], 3, 2, 4, false));
    assertTrue(e.getMessage().contains("k=4, expected 1..3"), e.getMessage());
    IllegalArgumentException z = assertThrows(IllegalArgumentException.class,
        () -> knn(new float[2], 1, new float[6], 3, 2, 0, false));
    assertTrue(z.getMessage().contains("k=0"), z.getMessage());
  }
}
