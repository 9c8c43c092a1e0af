package dev.tripletcuda.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tripletcuda.testing.Random32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KnnScanTest {

  private static final KnnScan PLAIN = new KnnScan();

  /** Every start in a row of {@code cols}, against every bar drawn from the row's own values. */
  private static void assertScansAgree(KnnScan scan, float[] dist, float[] bn, float qNorm,
      int cols, int offset) {
    int bo = 3;
    for (int from = 0; from <= cols; from++) {
      for (int b = 0; b < cols; b += Math.max(1, cols / 7)) {
        float bar = KnnScan.distance(dist, offset, b, qNorm, bn, bo);
        int want = PLAIN.firstBelow(dist, offset, from, cols, qNorm, bn, bo, bar);
        int got = scan.firstBelow(dist, offset, from, cols, qNorm, bn, bo, bar);
        assertEquals(want, got, "cols=" + cols + " from=" + from + " bar=" + bar
            + (bn == null ? " (inner product)" : ""));
      }
    }
  }

  @ParameterizedTest(name = "cols={0}")
  @ValueSource(ints = {1, 15, 16, 17, 31, 33, 64, 257})
  void vectorScanFindsThePlainScansCandidate(int cols) {
    assumeTrue(CpuKernels.vectorized(), "the Vector API module is not loaded");
    int offset = 5;
    float[] dist = Random32.gaussian(cols, offset + cols);
    // Ties with the bar, values that clamp to zero, and a NaN the bar must never accept.
    for (int c = 0; c < cols; c += 4) {
      dist[offset + c] = dist[offset + cols / 2];
    }
    if (cols > 2) {
      dist[offset + 1] = -50f;
      dist[offset + 2] = Float.NaN;
    }
    float[] bn = Random32.uniform(cols + 1, 3 + cols, 0f, 2f);
    KnnScan vector = CpuKernels.knnScan();
    assertScansAgree(vector, dist, bn, 1.5f, cols, offset);
    assertScansAgree(vector, dist, null, 0f, cols, offset);
  }

  @ParameterizedTest(name = "cols={0}")
  @ValueSource(ints = {1, 17, 257})
  void scanFindsTheFirstCandidateStrictlyBelowTheBar(int cols) {
    float[] dist = new float[cols];
    java.util.Arrays.fill(dist, 2f);
    dist[cols - 1] = 1f;
    KnnScan scan = CpuKernels.knnScan();
    // Equal to the bar is not below it: a tie stays with the earlier, kept index.
    assertEquals(cols - 1, scan.firstBelow(dist, 0, 0, cols, 0f, null, 0, 2f));
    assertEquals(cols, scan.firstBelow(dist, 0, 0, cols, 0f, null, 0, 1f));
    assertEquals(cols, scan.firstBelow(dist, 0, cols, cols, 0f, null, 0, 99f));
  }
}
