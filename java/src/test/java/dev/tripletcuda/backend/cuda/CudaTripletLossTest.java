package dev.tripletcuda.backend.cuda;

import static dev.tripletcuda.backend.cuda.CudaTestSupport.assertClose;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.gaussian;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.ints;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.smallInts;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.tensor;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
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
 * The mined and explicit triplet losses of the CUDA backend against the CPU backend. On
 * small-integer embeddings every distance is exact in float, so the mining decisions, counts
 * and tie-breaks must agree exactly; on normalised Gaussian embeddings, as in training, the
 * counts may differ only where a triplet sits on the margin within rounding.
 */
@Tag("gpu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaTripletLossTest {

  private CpuBackend cpu;
  private CudaBackend gpu;
  private final SplittableRandom rng = new SplittableRandom(77);

  @BeforeAll
  void open() {
    gpu = CudaTestSupport.open(CudaOptions.fromEnvironment());
    cpu = new CpuBackend(Runtime.getRuntime().availableProcessors());
  }

  @AfterAll
  void close() {
    if (gpu != null) {
      gpu.close();
      cpu.close();
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (Mining mining : Mining.values()) {
      for (Reduction reduction : Reduction.values()) {
        for (int rows : new int[] {1, 31, 33, 257, 1021}) {
          for (int dim : new int[] {3, 128}) {
            all.add(Arguments.of(mining, reduction, rows, dim));
          }
        }
      }
    }
    return all.stream();
  }

  /** The loss and gradient on one backend. */
  private record Result(LossStats stats, float[] grad) {}

  private static Result run(Backend be, int rows, int dim, float[] emb, int[] labels,
      TripletLossSpec spec) {
    try (Tensor e = tensor(be, rows, dim, emb); IntTensor l = ints(be, labels);
        Tensor g = be.allocate(rows, dim);
        TripletLossWorkspace ws = be.allocateTripletLossWorkspace(rows + 3)) {
      LossStats stats = be.tripletLoss(e, l, spec, g, ws);
      return new Result(stats, values(g));
    }
  }

  private int[] labels(int rows) {
    int classes = Math.max(2, rows / 8);
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      labels[i] = rng.nextInt(classes);
    }
    return labels;
  }

  @ParameterizedTest(name = "{0} {1} rows={2} dim={3}")
  @MethodSource("cases")
  void minedLossMatchesCpuExactlyOnIntegerEmbeddings(Mining mining, Reduction reduction,
      int rows, int dim) {
    float[] emb = smallInts(rng, rows * dim, -2, 2);
    int[] labels = labels(rows);
    TripletLossSpec spec = new TripletLossSpec(mining, 1f, reduction);
    Result want = run(cpu, rows, dim, emb, labels, spec);
    Result got = run(gpu, rows, dim, emb, labels, spec);
    String what = mining + " " + reduction + " rows=" + rows + " dim=" + dim;
    assertEquals(want.stats.triplets(), got.stats.triplets(), what + ": triplets");
    assertEquals(want.stats.active(), got.stats.active(), what + ": active triplets");
    assertClose(what + ": loss", want.stats.loss(), got.stats.loss(), 1e-9, 1e-9);
    assertClose(what + ": mean d(a,p)", want.stats.meanPositive(), got.stats.meanPositive(),
        1e-9, 1e-9);
    assertClose(what + ": mean d(a,n)", want.stats.meanNegative(), got.stats.meanNegative(),
        1e-9, 1e-9);
    assertClose(what + ": gradient", want.grad, got.grad, 1e-6, 1e-5);
  }

  @ParameterizedTest(name = "{0} {1} rows={2} dim={3}")
  @MethodSource("cases")
  void minedLossMatchesCpuOnNormalizedEmbeddings(Mining mining, Reduction reduction, int rows,
      int dim) {
    float[] emb = gaussian(rng, rows * dim);
    for (int i = 0; i < rows; i++) {
      double ss = 0;
      for (int k = 0; k < dim; k++) {
        ss += emb[i * dim + k] * emb[i * dim + k];
      }
      for (int k = 0; k < dim; k++) {
        emb[i * dim + k] /= (float) Math.sqrt(ss);
      }
    }
    int[] labels = labels(rows);
    TripletLossSpec spec = new TripletLossSpec(mining, 0.2f, reduction);
    Result want = run(cpu, rows, dim, emb, labels, spec);
    Result got = run(gpu, rows, dim, emb, labels, spec);
    String what = mining + " " + reduction + " rows=" + rows + " dim=" + dim;
    assertEquals(want.stats.triplets(), got.stats.triplets(), what + ": triplets");
    // A triplet within rounding of its margin may fall either way.
    long slack = 2 + want.stats.triplets() / 100_000;
    assertTrue(Math.abs(want.stats.active() - got.stats.active()) <= slack, what
        + ": active " + got.stats.active() + ", expected " + want.stats.active() + " +- "
        + slack);
    assertClose(what + ": loss", want.stats.loss(), got.stats.loss(), 1e-5, 1e-3);
    assertClose(what + ": mean d(a,p)", want.stats.meanPositive(), got.stats.meanPositive(),
        1e-5, 1e-4);
    assertClose(what + ": mean d(a,n)", want.stats.meanNegative(), got.stats.meanNegative(),
        1e-5, 1e-4);
    if (want.stats.active() == got.stats.active()) {
      assertClose(what + ": gradient", want.grad, got.grad, 1e-5, 1e-3);
    }
  }

  @Test
  void batchesWithoutValidTripletsGiveZeroLossAndGradient() {
    float[] emb = gaussian(rng, 40 * 8);
    for (int[] labels : new int[][] {new int[40], sequence(40)}) {
      for (Mining mining : Mining.values()) {
        TripletLossSpec spec = new TripletLossSpec(mining, 0.2f, Reduction.MEAN);
        Result got = run(gpu, 40, 8, emb, labels, spec);
        assertEquals(LossStats.EMPTY, got.stats, mining + ": no triplet");
        assertClose(mining + ": gradient", new float[40 * 8], got.grad, 0, 0);
      }
    }
  }

  private static int[] sequence(int n) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return v;
  }

  @Test
  void aBatchLargerThanTheWorkspaceIsRefused() {
    try (Tensor e = gpu.allocate(9, 2); IntTensor l = gpu.allocateInts(9);
        TripletLossWorkspace ws = gpu.allocateTripletLossWorkspace(8)) {
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
          () -> gpu.tripletLoss(e, l, TripletLossSpec.DEFAULT, null, ws));
      assertTrue(ex.getMessage().contains("exceeds the workspace capacity 8"), ex.getMessage());
    }
  }

  @Test
  void theWorkspaceCountsAsOneLiveBuffer() {
    long before = gpu.liveBuffers();
    TripletLossWorkspace ws = gpu.allocateTripletLossWorkspace(100);
    assertEquals(before + 1, gpu.liveBuffers());
    ws.close();
    ws.close();
    assertEquals(before, gpu.liveBuffers());
  }

  @ParameterizedTest(name = "rows={0} triplets={1} {2}")
  @MethodSource("explicitCases")
  void explicitTripletsMatchCpu(int rows, int count, Reduction reduction) {
    int dim = 5;
    float[] emb = smallInts(rng, rows * dim, -2, 2);
    int[] a = new int[count];
    int[] p = new int[count];
    int[] n = new int[count];
    for (int t = 0; t < count; t++) {
      a[t] = rng.nextInt(rows);
      p[t] = (a[t] + 1 + rng.nextInt(rows - 1)) % rows;
      n[t] = rng.nextInt(rows);
    }
    Result want = explicit(cpu, rows, dim, emb, a, p, n, reduction);
    Result got = explicit(gpu, rows, dim, emb, a, p, n, reduction);
    String what = "explicit rows=" + rows + " triplets=" + count + " " + reduction;
    assertEquals(want.stats.triplets(), got.stats.triplets(), what + ": triplets");
    assertEquals(want.stats.active(), got.stats.active(), what + ": active");
    assertClose(what + ": loss", want.stats.loss(), got.stats.loss(), 1e-9, 1e-9);
    assertClose(what + ": mean d(a,p)", want.stats.meanPositive(), got.stats.meanPositive(),
        1e-9, 1e-9);
    // The device adds a row's contributions in no fixed order.
    assertClose(what + ": gradient", want.grad, got.grad, 1e-5, 1e-5);
  }

  static Stream<Arguments> explicitCases() {
    List<Arguments> all = new ArrayList<>();
    for (int rows : new int[] {2, 31, 257}) {
      for (int count : new int[] {1, 33, 1021, 20_000}) {
        for (Reduction r : Reduction.values()) {
          all.add(Arguments.of(rows, count, r));
        }
      }
    }
    return all.stream();
  }

  private static Result explicit(Backend be, int rows, int dim, float[] emb, int[] a, int[] p,
      int[] n, Reduction reduction) {
    try (Tensor e = tensor(be, rows, dim, emb); IntTensor ta = ints(be, a);
        IntTensor tp = ints(be, p); IntTensor tn = ints(be, n);
        Tensor g = be.allocate(rows, dim)) {
      LossStats s = be.tripletLossExplicit(e, ta, tp, tn, 1f, reduction, g);
      return new Result(s, values(g));
    }
  }

  @Test
  void anExplicitTripletOutOfRangeIsReported() {
    try (Tensor e = gpu.allocate(4, 2); IntTensor a = ints(gpu, new int[] {0, 1});
        IntTensor p = ints(gpu, new int[] {1, 2}); IntTensor n = ints(gpu, new int[] {2, 9})) {
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
          () -> gpu.tripletLossExplicit(e, a, p, n, 0.2f, Reduction.SUM, null));
      assertTrue(ex.getMessage().contains("triplet 1 has row index 9, expected 0..3"),
          ex.getMessage());
    }
  }
}
