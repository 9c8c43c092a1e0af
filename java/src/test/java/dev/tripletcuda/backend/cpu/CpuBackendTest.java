package dev.tripletcuda.backend.cpu;

import static dev.tripletcuda.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.Activation;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.testing.Random32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CpuBackendTest {

  private final CpuBackend backend = new CpuBackend(2);

  @AfterEach
  void close() {
    backend.close();
  }

  private Tensor tensor(float[] values, int rows, int cols) {
    Tensor t = backend.allocate(rows, cols);
    backend.upload(values, 0, t);
    return t;
  }

  private float[] host(Tensor t) {
    float[] v = new float[(int) t.size()];
    backend.download(t, v, 0);
    return v;
  }

  @ParameterizedTest(name = "n={0} m={1} d={2}")
  @CsvSource({"1,1,1", "31,33,3", "33,1,128", "257,31,784", "5,1021,7", "300,257,16"})
  void pairwiseSquaredL2MatchesDirectDifferences(int n, int m, int d) {
    float[] x = Random32.gaussian(n, n * d);
    float[] y = Random32.gaussian(m + 1000, m * d);
    try (Tensor tx = tensor(x, n, d); Tensor ty = tensor(y, m, d);
        Tensor out = backend.allocate(n, m)) {
      backend.pairwiseSquaredL2(tx, ty, out);
      assertClose(Reference.pairwise(x, n, y, m, d), host(out), 1e-3, 1e-4,
          "pairwise n=" + n + " m=" + m + " d=" + d);
    }
  }

  @Test
  void pairwiseOfASetWithItselfHasExactZeroDiagonalAndNoNegatives() {
    int n = 257;
    int d = 128;
    // Large offsets make ||x||^2 + ||y||^2 - 2x.y cancel badly.
    float[] x = Random32.uniform(5, n * d, 100f, 100.01f);
    try (Tensor tx = tensor(x, n, d); Tensor out = backend.allocate(n, n)) {
      backend.pairwiseSquaredL2(tx, tx, out);
      float[] dist = host(out);
      for (int i = 0; i < n; i++) {
        assertEquals(0f, dist[i * n + i], "diagonal " + i);
        for (int j = 0; j < n; j++) {
          assertTrue(dist[i * n + j] >= 0f, "negative distance at " + i + "," + j);
        }
      }
    }
  }

  @Test
  void shapeMismatchesNameBothShapes() {
    try (Tensor a = backend.allocate(3, 4); Tensor b = backend.allocate(5, 4);
        Tensor c = backend.allocate(3, 3)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> backend.gemm(false, false, 1f, a, b, 0f, c));
      assertTrue(e.getMessage().contains("op(a) is (3, 4), op(b) is (5, 4)"), e.getMessage());
      IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
          () -> backend.pairwiseSquaredL2(a, b, c));
      assertTrue(p.getMessage().contains("out is (3, 3), expected (3, 5)"), p.getMessage());
    }
  }

  @Test
  void biasActivationAndReluBackward() {
    float[] z = {-1f, 0.5f, 2f, -3f, 0f, 1f};
    float[] bias = {0.5f, -1f, 0f};
    try (Tensor tz = tensor(z, 2, 3); Tensor tb = tensor(bias, 3, 1)) {
      backend.biasActivation(tz, tb, Activation.RELU);
      float[] act = host(tz);
      assertArrayEquals(new float[] {0f, 0f, 2f, 0f, 0f, 1f}, act);
      try (Tensor g = tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
        backend.reluBackward(g, tz);
        assertArrayEquals(new float[] {0, 0, 3, 0, 0, 6}, host(g));
      }
      backend.upload(z, 0, tz);
      backend.biasActivation(tz, tb, Activation.IDENTITY);
      assertArrayEquals(new float[] {-0.5f, -0.5f, 2f, -2.5f, -1f, 1f}, host(tz));
    }
  }

  @Test
  void columnSumsAndGatherRows() {
    float[] x = {1, 2, 3, 4, 5, 6};
    try (Tensor tx = tensor(x, 3, 2); Tensor sums = backend.allocate(2, 1);
        IntTensor idx = backend.allocateInts(4); Tensor dst = backend.allocate(4, 2)) {
      backend.columnSums(tx, sums);
      assertArrayEquals(new float[] {9, 12}, host(sums));
      backend.upload(new int[] {2, 0, 2, 1}, 0, idx);
      backend.gatherRows(tx, idx, dst);
      assertArrayEquals(new float[] {5, 6, 1, 2, 5, 6, 3, 4}, host(dst));
      backend.upload(new int[] {0, 3, 0, 0}, 0, idx);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> backend.gatherRows(tx, idx, dst));
      assertTrue(e.getMessage().contains("idx[1]=3, expected 0..2"), e.getMessage());
    }
  }

  @Test
  void l2NormalizeRowsBackwardMatchesFiniteDifferences() {
    int b = 4;
    int d = 5;
    float[] x = Random32.gaussian(11, b * d);
    x[0] = 0;
    float[] gy = Random32.gaussian(12, b * d);
    try (Tensor tx = tensor(x, b, d); Tensor y = backend.allocate(b, d);
        Tensor norms = backend.allocate(b, 1); Tensor tg = tensor(gy, b, d);
        Tensor gx = backend.allocate(b, d)) {
      backend.l2NormalizeRows(tx, y, norms);
      float[] yh = host(y);
      for (int i = 0; i < b; i++) {
        double s = 0;
        for (int k = 0; k < d; k++) {
          s += yh[i * d + k] * yh[i * d + k];
        }
        assertClose(1.0, s, 1e-5, 0, "unit row " + i);
      }
      backend.l2NormalizeRowsBackward(y, norms, tg, gx);
      float[] g = host(gx);
      double h = 1e-3;
      for (int i = 0; i < b * d; i++) {
        double fd = (objective(x, i, h, gy, b, d) - objective(x, i, -h, gy, b, d)) / (2 * h);
        assertClose(fd, g[i], 1e-3, 1e-2, "d/dx[" + i + "]");
      }
    }
  }

  /** sum(gy * normalize(x + h e_i)), in double. */
  private static double objective(float[] x, int i, double h, float[] gy, int b, int d) {
    double total = 0;
    for (int r = 0; r < b; r++) {
      double ss = 0;
      for (int k = 0; k < d; k++) {
        double v = x[r * d + k] + (r * d + k == i ? h : 0);
        ss += v * v;
      }
      double norm = Math.max(Math.sqrt(ss), 1e-12);
      for (int k = 0; k < d; k++) {
        double v = x[r * d + k] + (r * d + k == i ? h : 0);
        total += gy[r * d + k] * v / norm;
      }
    }
    return total;
  }

  @Test
  void zeroRowNormalisesToZeroNotNan() {
    try (Tensor x = backend.allocate(2, 3); Tensor y = backend.allocate(2, 3);
        Tensor n = backend.allocate(2, 1)) {
      backend.l2NormalizeRows(x, y, n);
      assertArrayEquals(new float[6], host(y));
    }
  }

  @Test
  void adamStepMatchesPytorchFormulaInDouble() {
    int n = 70_000;
    float[] p = Random32.gaussian(1, n);
    float[] g = Random32.gaussian(2, n);
    float[] m = Random32.uniform(3, n, -0.1f, 0.1f);
    float[] v = Random32.uniform(4, n, 0f, 0.01f);
    float lr = 1e-3f;
    float b1 = 0.9f;
    float b2 = 0.999f;
    float eps = 1e-8f;
    float wd = 0.01f;
    long step = 7;
    float[] want = new float[n];
    for (int i = 0; i < n; i++) {
      double gi = g[i] + wd * (double) p[i];
      double mi = b1 * (double) m[i] + (1 - b1) * gi;
      double vi = b2 * (double) v[i] + (1 - b2) * gi * gi;
      double bc1 = 1 - Math.pow(b1, step);
      double bc2 = 1 - Math.pow(b2, step);
      want[i] = (float) (p[i] - lr / bc1 * mi / (Math.sqrt(vi) / Math.sqrt(bc2) + eps));
    }
    try (Tensor tp = tensor(p, n, 1); Tensor tg = tensor(g, n, 1); Tensor tm = tensor(m, n, 1);
        Tensor tv = tensor(v, n, 1)) {
      backend.adamStep(tp, tg, tm, tv, lr, b1, b2, eps, wd, step);
      assertClose(want, host(tp), 1e-6, 1e-5, "adam");
    }
  }

  @Test
  void sgdStepWithMomentum() {
    float[] p = {1f, -2f};
    float[] g = {0.5f, 0.25f};
    float[] u = {0.1f, 0f};
    try (Tensor tp = tensor(p, 2, 1); Tensor tg = tensor(g, 2, 1); Tensor tu = tensor(u, 2, 1)) {
      backend.sgdStep(tp, tg, tu, 0.1f, 0.9f, 0f);
      // u = 0.9 u + g; p -= 0.1 u
      assertClose(new float[] {0.59f, 0.25f}, host(tu), 1e-6, 0, "velocity");
      assertClose(new float[] {1f - 0.059f, -2.025f}, host(tp), 1e-6, 0, "params");
    }
  }

  @ParameterizedTest(name = "n={0}")
  @ValueSource(ints = {1, 3, 4, 5, 31, 1021, 70_001})
  void sumOfSquaresMatchesADoubleSumAtEverySize(int n) {
    float[] x = Random32.gaussian(n, n);
    double want = 0;
    for (float v : x) {
      want += (double) v * v;
    }
    try (Tensor t = tensor(x, n, 1)) {
      assertEquals(want, backend.sumOfSquares(t), 1e-12 * want, "n=" + n);
    }
    // Both kernels, from an offset, and a non-finite value anywhere in the range.
    for (SumOfSquares kernel : new SumOfSquares[] {new SumOfSquares(),
        CpuKernels.sumOfSquares()}) {
      float[] shifted = new float[n + 3];
      System.arraycopy(x, 0, shifted, 3, n);
      assertEquals(want, kernel.of(shifted, 3, n), 1e-12 * want, "offset 3, n=" + n);
      shifted[3 + n / 2] = Float.POSITIVE_INFINITY;
      assertEquals(Double.POSITIVE_INFINITY, kernel.of(shifted, 3, n), "infinity, n=" + n);
      shifted[3 + n - 1] = Float.NaN;
      assertTrue(Double.isNaN(kernel.of(shifted, 3, n)), "NaN, n=" + n);
    }
  }

  @Test
  void reductionsAndNonFiniteDetection() {
    try (Tensor t = tensor(new float[] {1, -2, 3}, 3, 1)) {
      assertEquals(2.0, backend.sum(t));
      assertEquals(14.0, backend.sumOfSquares(t));
      backend.upload(new float[] {1, Float.NaN, 3}, 0, t);
      assertTrue(Double.isNaN(backend.sumOfSquares(t)));
    }
  }

  @Test
  void buffersAreCountedAndReleasedOnce() {
    long before = backend.liveBuffers();
    Tensor t = backend.allocate(10, 10);
    IntTensor i = backend.allocateInts(5);
    assertEquals(before + 2, backend.liveBuffers());
    Tensor view = t.rows(2, 3);
    view.close();
    assertEquals(before + 2, backend.liveBuffers(), "closing a view frees nothing");
    t.close();
    t.close();
    i.close();
    assertEquals(before, backend.liveBuffers());
    assertEquals(0, backend.liveBytes());
  }

  @Test
  void tensorsOfAnotherBackendAreRejected() {
    try (CpuBackend other = new CpuBackend(1); Tensor foreign = other.allocate(2, 2);
        Tensor mine = backend.allocate(2, 2)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> backend.copy(foreign, mine));
      assertTrue(e.getMessage().contains("belongs to another backend"), e.getMessage());
    }
  }
}
