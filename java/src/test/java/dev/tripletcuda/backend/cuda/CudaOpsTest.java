package dev.tripletcuda.backend.cuda;

import static dev.tripletcuda.backend.cuda.CudaTestSupport.assertClose;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.gaussian;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.ints;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.tensor;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.Activation;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every dense-network, distance, optimiser and reduction operation of the CUDA backend against
 * the CPU backend, on fresh random inputs of awkward sizes.
 */
@Tag("gpu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaOpsTest {

  static final int[] ROWS = {1, 31, 33, 257, 1021};
  static final int[] DIMS = {1, 3, 128, 784};

  private CpuBackend cpu;
  /** The default backend (cuBLAS where it loads) and one forced onto the tiled SGEMM kernel. */
  private CudaBackend gpu;
  private CudaBackend tiled;
  private final SplittableRandom rng = new SplittableRandom(20240611);

  @BeforeAll
  void open() {
    gpu = CudaTestSupport.open(CudaOptions.fromEnvironment());
    tiled = CudaBackend.open(CudaOptions.fromEnvironment().withCublas(false));
    cpu = new CpuBackend(Runtime.getRuntime().availableProcessors());
  }

  @AfterAll
  void close() {
    if (gpu != null) {
      gpu.close();
      tiled.close();
      cpu.close();
    }
  }

  static Stream<Arguments> shapes() {
    List<Arguments> all = new ArrayList<>();
    for (int r : ROWS) {
      for (int d : DIMS) {
        all.add(Arguments.of(r, d));
      }
    }
    return all.stream();
  }

  static Stream<Arguments> products() {
    List<Arguments> all = new ArrayList<>();
    int[] ns = {1, 33, 128};
    for (int m : ROWS) {
      for (int n : ns) {
        for (int k : DIMS) {
          all.add(Arguments.of(m, n, k));
        }
      }
    }
    all.add(Arguments.of(31, 17, 0));
    return all.stream();
  }

  /** a and b uploaded to one backend, c computed there and returned. */
  private static float[] product(Backend be, boolean ta, boolean tb, int m, int n, int k,
      float[] a, float[] b, float[] c0, float alpha, float beta) {
    try (Tensor ta0 = tensor(be, ta ? k : m, ta ? m : k, a);
        Tensor tb0 = tensor(be, tb ? n : k, tb ? k : n, b);
        Tensor tc = tensor(be, m, n, c0)) {
      be.gemm(ta, tb, alpha, ta0, tb0, beta, tc);
      return values(tc);
    }
  }

  @ParameterizedTest(name = "m={0} n={1} k={2}")
  @MethodSource("products")
  void gemmMatchesCpuForEveryTransposeOnBothPaths(int m, int n, int k) {
    for (int t = 0; t < 4; t++) {
      boolean ta = (t & 1) != 0;
      boolean tb = (t & 2) != 0;
      float[] a = gaussian(rng, m * k);
      float[] b = gaussian(rng, k * n);
      float[] c0 = gaussian(rng, m * n);
      float beta = t == 3 ? 0.5f : 0f;
      if (beta == 0f) {
        c0[0] = Float.NaN;  // must not spread when beta == 0
      }
      float[] expected = product(cpu, ta, tb, m, n, k, a, b, c0, 1.25f, beta);
      String what = "gemm m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb;
      double abs = 2e-6 * Math.max(1, k);
      assertClose(what + " (" + gpu.description() + ")", expected,
          product(gpu, ta, tb, m, n, k, a, b, c0, 1.25f, beta), abs, 1e-4);
      assertClose(what + " (tiled SGEMM kernel)", expected,
          product(tiled, ta, tb, m, n, k, a, b, c0, 1.25f, beta), abs, 1e-4);
    }
  }

  @Test
  void tiledPathIsUsedWhenCublasIsSwitchedOff() {
    assertTrue(!tiled.usesCublas(), tiled.description());
    assertTrue(tiled.description().contains("tiled SGEMM"), tiled.description());
  }

  @ParameterizedTest(name = "rows={0} dim={1}")
  @MethodSource("shapes")
  void biasActivationAndReluBackwardMatchCpu(int rows, int dim) {
    float[] z = gaussian(rng, rows * dim);
    z[0] = Float.NaN;
    float[] bias = gaussian(rng, dim);
    float[] grad = gaussian(rng, rows * dim);
    for (Activation act : Activation.values()) {
      String what = "biasActivation " + act + " rows=" + rows + " dim=" + dim;
      assertClose(what, biasAct(cpu, rows, dim, z, bias, act),
          biasAct(gpu, rows, dim, z, bias, act), 0, 0);
    }
    assertClose("reluBackward rows=" + rows + " dim=" + dim, reluBack(cpu, rows, dim, grad, z),
        reluBack(gpu, rows, dim, grad, z), 0, 0);
  }

  private static float[] biasAct(Backend be, int rows, int dim, float[] z, float[] bias,
      Activation act) {
    try (Tensor tz = tensor(be, rows, dim, z); Tensor tb = tensor(be, dim, 1, bias)) {
      be.biasActivation(tz, tb, act);
      return values(tz);
    }
  }

  private static float[] reluBack(Backend be, int rows, int dim, float[] grad, float[] act) {
    try (Tensor tg = tensor(be, rows, dim, grad); Tensor ta = tensor(be, rows, dim, act)) {
      be.reluBackward(tg, ta);
      return values(tg);
    }
  }

  @ParameterizedTest(name = "rows={0} dim={1}")
  @MethodSource("shapes")
  void columnSumsMatchCpuBitForBit(int rows, int dim) {
    float[] x = gaussian(rng, rows * dim);
    assertClose("columnSums rows=" + rows + " dim=" + dim, columnSums(cpu, rows, dim, x),
        columnSums(gpu, rows, dim, x), 0, 0);
  }

  private static float[] columnSums(Backend be, int rows, int dim, float[] x) {
    try (Tensor tx = tensor(be, rows, dim, x); Tensor out = be.allocate(dim, 1)) {
      be.columnSums(tx, out);
      return values(out);
    }
  }

  @ParameterizedTest(name = "rows={0} dim={1}")
  @MethodSource("shapes")
  void gatherRowsMatchesCpu(int rows, int dim) {
    float[] src = gaussian(rng, rows * dim);
    int[] idx = new int[rows + 5];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = rng.nextInt(rows);
    }
    assertClose("gatherRows rows=" + rows + " dim=" + dim, gather(cpu, rows, dim, src, idx),
        gather(gpu, rows, dim, src, idx), 0, 0);
  }

  private static float[] gather(Backend be, int rows, int dim, float[] src, int[] idx) {
    try (Tensor ts = tensor(be, rows, dim, src); IntTensor ti = ints(be, idx);
        Tensor out = be.allocate(idx.length, dim)) {
      be.gatherRows(ts, ti, out);
      return values(out);
    }
  }

  @Test
  void gatherRowsReportsABadIndexAtTheNextSynchronisation() {
    try (Tensor src = gpu.allocate(4, 3); IntTensor idx = ints(gpu, new int[] {0, 7, 1});
        Tensor out = gpu.allocate(3, 3)) {
      gpu.gatherRows(src, idx, out);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          gpu::synchronize);
      assertTrue(e.getMessage().contains("idx[1]=7, expected 0..3"), e.getMessage());
      // The fault is reported once; the backend stays usable.
      gpu.synchronize();
    }
  }

  @ParameterizedTest(name = "rows={0} dim={1}")
  @MethodSource("shapes")
  void l2NormalizeRowsAndItsBackwardMatchCpu(int rows, int dim) {
    float[] x = gaussian(rng, rows * dim);
    for (int k = 0; k < dim; k++) {
      x[k] = 0f;  // a zero row stays zero
    }
    float[] gy = gaussian(rng, rows * dim);
    float[][] expected = normalize(cpu, rows, dim, x, gy);
    float[][] actual = normalize(gpu, rows, dim, x, gy);
    String what = " rows=" + rows + " dim=" + dim;
    assertClose("l2NormalizeRows y" + what, expected[0], actual[0], 1e-6, 1e-5);
    assertClose("l2NormalizeRows norms" + what, expected[1], actual[1], 1e-6, 1e-5);
    assertClose("l2NormalizeRowsBackward" + what, expected[2], actual[2], 1e-5, 1e-4);
  }

  private static float[][] normalize(Backend be, int rows, int dim, float[] x, float[] gy) {
    try (Tensor tx = tensor(be, rows, dim, x); Tensor y = be.allocate(rows, dim);
        Tensor norms = be.allocate(rows, 1); Tensor tgy = tensor(be, rows, dim, gy);
        Tensor gx = be.allocate(rows, dim)) {
      be.l2NormalizeRows(tx, y, norms);
      be.l2NormalizeRowsBackward(y, norms, tgy, gx);
      return new float[][] {values(y), values(norms), values(gx)};
    }
  }

  @ParameterizedTest(name = "rows={0} dim={1}")
  @MethodSource("shapes")
  void rowSquaredNormsAndPairwiseDistancesMatchCpu(int rows, int dim) {
    float[] x = gaussian(rng, rows * dim);
    int m = rows == 1 ? 2 : rows / 2 + 1;
    float[] y = gaussian(rng, m * dim);
    String what = " rows=" + rows + " m=" + m + " dim=" + dim;
    double abs = 2e-6 * dim;
    assertClose("rowSquaredNorms" + what, norms(cpu, rows, dim, x), norms(gpu, rows, dim, x),
        abs, 1e-5);
    assertClose("pairwiseSquaredL2 x, y" + what, pairwise(cpu, rows, m, dim, x, y),
        pairwise(gpu, rows, m, dim, x, y), abs, 1e-4);
    float[] self = pairwise(gpu, rows, -1, dim, x, null);
    assertClose("pairwiseSquaredL2 x, x" + what, pairwise(cpu, rows, -1, dim, x, null), self,
        abs, 1e-4);
    for (int i = 0; i < rows; i++) {
      assertEquals(0, Float.floatToRawIntBits(self[i * rows + i]), "d(" + i + ", " + i
          + ") is not exactly +0" + what);
    }
    for (int i = 0; i < self.length; i++) {
      assertTrue(self[i] >= 0f, "distance " + i + " is " + self[i] + what);
    }
  }

  private static float[] norms(Backend be, int rows, int dim, float[] x) {
    try (Tensor tx = tensor(be, rows, dim, x); Tensor out = be.allocate(rows, 1)) {
      be.rowSquaredNorms(tx, out);
      return values(out);
    }
  }

  /** x against y, or against itself when m &lt; 0. */
  private static float[] pairwise(Backend be, int n, int m, int dim, float[] x, float[] y) {
    try (Tensor tx = tensor(be, n, dim, x);
        Tensor ty = m < 0 ? null : tensor(be, m, dim, y);
        Tensor out = be.allocate(n, m < 0 ? n : m)) {
      be.pairwiseSquaredL2(tx, m < 0 ? tx : ty, out);
      return values(out);
    }
  }

  @ParameterizedTest(name = "size={0}")
  @MethodSource("sizes")
  void adamAndSgdStepsMatchCpuBitForBit(int size) {
    float[] p = gaussian(rng, size);
    float[] g = gaussian(rng, size);
    float[] m = gaussian(rng, size);
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = Math.abs(m[i]);
    }
    for (long step : new long[] {1, 7}) {
      float[][] expected = adam(cpu, p, g, m, v, step);
      float[][] actual = adam(gpu, p, g, m, v, step);
      String what = "adam size=" + size + " step=" + step;
      assertClose(what + " params", expected[0], actual[0], 0, 0);
      assertClose(what + " m", expected[1], actual[1], 0, 0);
      assertClose(what + " v", expected[2], actual[2], 0, 0);
    }
    float[][] expected = sgd(cpu, p, g, m);
    float[][] actual = sgd(gpu, p, g, m);
    assertClose("sgd size=" + size + " params", expected[0], actual[0], 0, 0);
    assertClose("sgd size=" + size + " velocity", expected[1], actual[1], 0, 0);
  }

  static Stream<Integer> sizes() {
    return Stream.of(1, 31, 33, 257, 1021, 100_003);
  }

  private static float[][] adam(Backend be, float[] p, float[] g, float[] m, float[] v,
      long step) {
    int n = p.length;
    try (Tensor tp = tensor(be, n, 1, p); Tensor tg = tensor(be, n, 1, g);
        Tensor tm = tensor(be, n, 1, m); Tensor tv = tensor(be, n, 1, v)) {
      be.adamStep(tp, tg, tm, tv, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, step);
      return new float[][] {values(tp), values(tm), values(tv)};
    }
  }

  private static float[][] sgd(Backend be, float[] p, float[] g, float[] u) {
    int n = p.length;
    try (Tensor tp = tensor(be, n, 1, p); Tensor tg = tensor(be, n, 1, g);
        Tensor tu = tensor(be, n, 1, u)) {
      be.sgdStep(tp, tg, tu, 0.01f, 0.9f, 1e-4f);
      return new float[][] {values(tp), values(tu)};
    }
  }

  @ParameterizedTest(name = "size={0}")
  @MethodSource("sizes")
  void sumsMatchCpu(int size) {
    float[] x = gaussian(rng, size);
    try (Tensor c = tensor(cpu, size, 1, x); Tensor g = tensor(gpu, size, 1, x)) {
      assertClose("sum size=" + size, cpu.sum(c), gpu.sum(g), 1e-9, 1e-9);
      assertClose("sumOfSquares size=" + size, cpu.sumOfSquares(c), gpu.sumOfSquares(g), 1e-9,
          1e-9);
    }
    x[size / 2] = Float.POSITIVE_INFINITY;
    try (Tensor g = tensor(gpu, size, 1, x)) {
      assertTrue(Double.isInfinite(gpu.sumOfSquares(g)), "an infinity must reach the sum");
    }
  }

  @Test
  void transfersFillAndCopyWorkThroughViews() {
    float[] data = gaussian(rng, 1021 * 3);
    try (Tensor t = tensor(gpu, 1021, 3, data); Tensor u = gpu.allocate(10, 3)) {
      Tensor middle = t.rows(500, 10);
      gpu.copy(middle, u);
      float[] got = values(u);
      for (int i = 0; i < 30; i++) {
        assertEquals(data[1500 + i], got[i], "copied element " + i);
      }
      gpu.fill(t.view(3, 2, 3), -2.5f);
      float[] all = values(t);
      for (int i = 0; i < all.length; i++) {
        float want = i >= 3 && i < 9 ? -2.5f : data[i];
        assertEquals(want, all[i], "element " + i + " after fill of a view");
      }
      float[] back = new float[35];
      gpu.download(t.rows(1, 1), back, 32);
      assertEquals(-2.5f, back[32]);
    }
    // A transfer larger than one staging chunk goes in several.
    int big = (PinnedStaging.CHUNK_BYTES / 4) * 2 + 17;
    float[] large = gaussian(rng, big);
    try (Tensor t = tensor(gpu, big, 1, large)) {
      assertClose("chunked round trip", large, values(t), 0, 0);
    }
  }

  @Test
  void liveBuffersCountAllocationsUntilTheyAreClosed() {
    long buffers = gpu.liveBuffers();
    long bytes = gpu.liveBytes();
    Tensor a = gpu.allocate(10, 10);
    IntTensor b = gpu.allocateInts(7);
    Tensor empty = gpu.allocate(0, 5);
    assertEquals(buffers + 3, gpu.liveBuffers());
    assertEquals(bytes + 400 + 28, gpu.liveBytes());
    a.rows(0, 2).close();  // a view frees nothing
    assertEquals(buffers + 3, gpu.liveBuffers());
    a.close();
    a.close();
    b.close();
    empty.close();
    assertEquals(buffers, gpu.liveBuffers());
    assertEquals(bytes, gpu.liveBytes());
    assertThrows(IllegalStateException.class, () -> gpu.fill(a, 1f));
  }

  @Test
  void tensorsOfAnotherBackendAreRefused() {
    try (Tensor c = cpu.allocate(2, 2); Tensor g = gpu.allocate(2, 2)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> gpu.copy(c, g));
      assertTrue(e.getMessage().contains("belongs to another backend"), e.getMessage());
    }
  }
}
