package dev.tripletcuda.backend.cpu;

import static dev.tripletcuda.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.testing.Random32;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class GemmBlockedTest {

  private static final int[][] SHAPES = {
      {1, 1, 1}, {1, 33, 7}, {31, 1, 3}, {33, 31, 257}, {5, 129, 1}, {257, 33, 31},
      {4, 32, 256}, {7, 64, 513}, {160, 256, 784}, {1021, 3, 128}, {515, 70, 600}};

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (int[] s : SHAPES) {
      for (int t = 0; t < 4; t++) {
        for (String kernel : new String[] {"panama", "scalar"}) {
          out.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, kernel));
        }
      }
    }
    return out.stream();
  }

  private static Function<WorkerPool, GemmBlocked> kernel(String name) {
    return name.equals("panama") ? GemmPanama::new : GemmScalar::new;
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} {5}")
  @MethodSource("cases")
  void gemmMatchesReferenceForEveryTransposeAndShape(int m, int n, int k, boolean ta,
      boolean tb, String kernel) {
    float[] a = Random32.gaussian(1, m * k);
    float[] b = Random32.gaussian(2, k * n);
    float[] c = Random32.gaussian(3, m * n);
    float[] expected = Reference.gemm(ta, tb, m, n, k, 0.5f, a, b, 0.25f, c);
    for (int threads : new int[] {1, 2}) {
      try (WorkerPool pool = new WorkerPool(threads)) {
        float[] got = c.clone();
        int lda = ta ? m : k;
        int ldb = tb ? k : n;
        kernel(kernel).apply(pool).gemm(ta, tb, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, 0.25f,
            got, 0, n);
        assertClose(expected, got, 1e-4, 1e-4, String.format(
            "gemm m=%d n=%d k=%d transA=%b transB=%b %s threads=%d", m, n, k, ta, tb, kernel,
            threads));
      }
    }
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} {3}")
  @CsvSource({"9,40,5,panama", "515,70,600,panama", "515,70,600,scalar", "3,1,300,panama"})
  void gemmWithBetaZeroIgnoresNanInOutput(int m, int n, int k, String kernel) {
    // Several k blocks and row blocks: only the first block may store without reading C.
    float[] a = Random32.gaussian(4, m * k);
    float[] b = Random32.gaussian(5, k * n);
    float[] c = new float[m * n];
    java.util.Arrays.fill(c, Float.NaN);
    try (WorkerPool pool = new WorkerPool(2)) {
      kernel(kernel).apply(pool).gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
    }
    assertClose(Reference.gemm(false, false, m, n, k, 1f, a, b, 0f, null), c, 1e-4, 1e-4,
        String.format("beta=0 over NaN, m=%d n=%d k=%d %s", m, n, k, kernel));
  }

  @Test
  void gemmResultDoesNotDependOnThreadCount() {
    int m = 160;
    int n = 256;
    int k = 784;
    float[] a = Random32.gaussian(6, m * k);
    float[] b = Random32.gaussian(7, n * k);
    float[] one = new float[m * n];
    float[] two = new float[m * n];
    try (WorkerPool p1 = new WorkerPool(1); WorkerPool p2 = new WorkerPool(2)) {
      new GemmPanama(p1).gemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, one, 0, n);
      new GemmPanama(p2).gemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, two, 0, n);
    }
    assertTrue(java.util.Arrays.equals(one, two), "bitwise equal across thread counts");
  }

  @Test
  void gemmHonoursOffsetsAndLeadingDimensions() {
    // A 3 x 4 block inside a 5 x 6 array, times a 4 x 2 block inside a 7 x 3 array.
    float[] a = Random32.gaussian(8, 30);
    float[] b = Random32.gaussian(9, 21);
    float[] c = new float[4 * 5];
    float[] subA = new float[12];
    float[] subB = new float[8];
    for (int i = 0; i < 3; i++) {
      for (int p = 0; p < 4; p++) {
        subA[i * 4 + p] = a[7 + i * 6 + p];
      }
    }
    for (int p = 0; p < 4; p++) {
      for (int j = 0; j < 2; j++) {
        subB[p * 2 + j] = b[4 + p * 3 + j];
      }
    }
    float[] expected = Reference.gemm(false, false, 3, 2, 4, 1f, subA, subB, 0f, null);
    try (WorkerPool pool = new WorkerPool(1)) {
      new GemmPanama(pool).gemm(false, false, 3, 2, 4, 1f, a, 7, 6, b, 4, 3, 0f, c, 6, 5);
    }
    float[] got = new float[6];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        got[i * 2 + j] = c[6 + i * 5 + j];
      }
    }
    assertClose(expected, got, 1e-5, 1e-5, "submatrix product");
  }
}
