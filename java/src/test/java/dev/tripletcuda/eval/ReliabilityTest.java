package dev.tripletcuda.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ReliabilityTest {

  @Test
  void eceWeighsEachBinsGapByItsShare() {
    // Bin 1 (p = 0.1): half the predictions, half positive: gap 0.4. Bin 13 (p = 0.9): half,
    // all positive: gap 0.1. ECE = 0.5 * 0.4 + 0.5 * 0.1.
    Reliability r = Reliability.of(new double[] {0.1, 0.1, 0.9, 0.9},
        new boolean[] {false, true, true, true}, 15);
    assertEquals(0.25, r.expectedCalibrationError(), 1e-12);
    // (0.01 + 0.81 + 0.01 + 0.01) / 4.
    assertEquals(0.21, r.brierScore(), 1e-12);
    long[] counts = new long[15];
    counts[1] = 2;
    counts[13] = 2;
    assertArrayEquals(counts, r.counts());
    assertEquals(0.5, r.positiveFractions()[1], 1e-12);
    assertEquals(Double.NaN, r.meanProbabilities()[0]);
  }

  @Test
  void perfectCalibrationHasZeroEce() {
    Reliability r = Reliability.of(new double[] {0.5, 0.5, 0, 1},
        new boolean[] {true, false, false, true}, 15);
    assertEquals(0, r.expectedCalibrationError(), 1e-15);
    assertEquals(0.125, r.brierScore(), 1e-15);
    // 1 goes to the last bin, 0 to the first.
    assertEquals(1, r.counts()[14]);
    assertEquals(1, r.counts()[0]);
  }

  @Test
  void badPredictionsAreClearErrors() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Reliability.of(new double[] {0.2, 1.5}, new boolean[2], 15));
    assertEquals("p[1]=1.5, expected a probability in [0, 1]", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Reliability.of(new double[] {Double.NaN}, new boolean[1], 15));
    assertThrows(IllegalArgumentException.class,
        () -> Reliability.of(new double[0], new boolean[0], 15));
    assertThrows(IllegalArgumentException.class,
        () -> Reliability.of(new double[1], new boolean[2], 15));
    assertThrows(IllegalArgumentException.class,
        () -> Reliability.of(new double[1], new boolean[1], 0));
  }
}
