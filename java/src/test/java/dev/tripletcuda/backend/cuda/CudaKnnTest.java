package dev.tripletcuda.backend.cuda;

import static dev.tripletcuda.backend.cuda.CudaTestSupport.assertClose;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.assertSame;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.gaussian;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.smallInts;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.tensor;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The CUDA k-nearest-neighbour search against the CPU's. On small-integer data, full of ties,
 * the neighbours must agree exactly (ties to the lower index); on Gaussian data the distances
 * must agree within rounding and every reported index must have the reported distance.
 */
@Tag("gpu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaKnnTest {

  private CpuBackend cpu;
  private CudaBackend gpu;
  private final SplittableRandom rng = new SplittableRandom(5);

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
    for (int q : new int[] {1, 33, 257}) {
      for (int n : new int[] {1, 31, 2049, 4097}) {
        for (int k : new int[] {1, 7, 100, n}) {
          if (k <= n) {
            all.add(Arguments.of(q, n, k));
          }
        }
      }
    }
    return all.stream();
  }

  private record Found(int[] idx, float[] dist) {}

  private static Found knn(Backend be, int q, int n, int dim, float[] queries, float[] base,
      int k, boolean inner) {
    try (Tensor tq = tensor(be, q, dim, queries); Tensor tb = tensor(be, n, dim, base);
        Tensor norms = be.allocate(n, 1); IntTensor idx = be.allocateInts(q * k);
        Tensor dist = be.allocate(q, k)) {
      be.rowSquaredNorms(tb, norms);
      be.knn(tq, tb, norms, k, inner, idx, dist);
      return new Found(values(idx), values(dist));
    }
  }

  @ParameterizedTest(name = "queries={0} base={1} k={2}")
  @MethodSource("cases")
  void neighboursMatchCpuExactlyOnIntegerData(int q, int n, int k) {
    int dim = 3;
    float[] queries = smallInts(rng, q * dim, -3, 3);
    float[] base = smallInts(rng, n * dim, -3, 3);
    for (boolean inner : new boolean[] {false, true}) {
      Found want = knn(cpu, q, n, dim, queries, base, k, inner);
      Found got = knn(gpu, q, n, dim, queries, base, k, inner);
      String what = "knn queries=" + q + " base=" + n + " k=" + k + " inner=" + inner;
      assertSame(what + ": indices", want.idx, got.idx);
      assertClose(what + ": distances", want.dist, got.dist, 0, 0);
    }
  }

  @ParameterizedTest(name = "queries={0} base={1} k={2}")
  @MethodSource("cases")
  void distancesMatchCpuOnGaussianData(int q, int n, int k) {
    int dim = 128;
    float[] queries = gaussian(rng, q * dim);
    float[] base = gaussian(rng, n * dim);
    Found want = knn(cpu, q, n, dim, queries, base, k, false);
    Found got = knn(gpu, q, n, dim, queries, base, k, false);
    String what = "knn queries=" + q + " base=" + n + " k=" + k;
    assertClose(what + ": distances", want.dist, got.dist, 1e-3, 1e-5);
    for (int r = 0; r < q; r++) {
      for (int j = 0; j < k; j++) {
        int i = got.idx[r * k + j];
        double d = 0;
        for (int c = 0; c < dim; c++) {
          double t = queries[r * dim + c] - base[i * dim + c];
          d += t * t;
        }
        assertClose(what + ": distance of query " + r + " to its neighbour " + j + " (row "
            + i + ")", d, got.dist[r * k + j], 1e-3, 1e-5);
        if (j > 0) {
          assertTrue(got.dist[r * k + j - 1] <= got.dist[r * k + j], what
              + ": not ascending at query " + r + ", position " + j);
        }
      }
    }
  }

  @Test
  void searchSplitToFitLittleMemoryAnswersTheSame() {
    int q = 257;
    int n = 4097;
    int k = 100;
    int dim = 31;
    float[] queries = gaussian(rng, q * dim);
    float[] base = gaussian(rng, n * dim);
    Found whole = knn(gpu, q, n, dim, queries, base, k, false);
    // Room for about three queries against the narrowest tile: many blocks, many tiles.
    long bytes = 3 * KnnTiling.scratchBytes(1, KnnTiling.MIN_TILE, k);
    gpu.limitKnnScratch(bytes);
    try {
      Found split = knn(gpu, q, n, dim, queries, base, k, false);
      String what = "knn queries=" + q + " base=" + n + " k=" + k + " in " + bytes + " bytes";
      assertSame(what + ": indices", whole.idx, split.idx);
      assertClose(what + ": distances", whole.dist, split.dist, 0, 0);

      gpu.limitKnnScratch(KnnTiling.scratchBytes(1, KnnTiling.MIN_TILE, k) - 1);
      DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
          () -> knn(gpu, 2, n, dim, queries, base, k, false));
      assertTrue(e.getMessage().contains("k=100"), e.getMessage());
    } finally {
      gpu.limitKnnScratch(0);
    }
  }

  @Test
  void kOutsideOneToNIsRefused() {
    try (Tensor q = gpu.allocate(2, 3); Tensor b = gpu.allocate(5, 3);
        Tensor norms = gpu.allocate(5, 1); IntTensor idx = gpu.allocateInts(12);
        Tensor dist = gpu.allocate(2, 6)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> gpu.knn(q, b, norms, 6, false, idx, dist));
      assertTrue(e.getMessage().contains("k=6, expected 1..5"), e.getMessage());
    }
  }
}
