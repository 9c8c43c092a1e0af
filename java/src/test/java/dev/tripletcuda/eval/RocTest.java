package dev.tripletcuda.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.verify.LabelledDistances;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RocTest {

  /** Positives first, then negatives. */
  static Roc roc(float[] pos, float[] neg) {
    float[] d = new float[pos.length + neg.length];
    boolean[] same = new boolean[d.length];
    for (int i = 0; i < pos.length; i++) {
      d[i] = pos[i];
      same[i] = true;
    }
    System.arraycopy(neg, 0, d, pos.length, neg.length);
    return Roc.of(new LabelledDistances(d, same), 101);
  }

  @Test
  void aucOfSeparatedScoresIsOneAndEerZero() {
    Roc r = roc(new float[] {0.1f, 0.2f}, new float[] {0.5f, 0.9f});
    assertEquals(1.0, r.auc());
    assertEquals(0.0, r.equalErrorRate());
    assertEquals(0.2f, r.equalErrorThreshold(), 0);
  }

  @Test
  void aucCountsOrderedPositiveNegativePairs() {
    // Of the four (positive, negative) pairs, 1<2, 1<4 and 3<4 are ordered right: 3/4.
    Roc r = roc(new float[] {1, 3}, new float[] {2, 4});
    assertEquals(0.75, r.auc());
    // Thresholds 1, 2, 3 all give max(FAR, FRR) = 0.5; the first is reported.
    assertEquals(0.5, r.equalErrorRate());
    assertEquals(1.0, r.equalErrorThreshold());
    assertEquals(0.0, roc(new float[] {5}, new float[] {1}).auc());
  }

  @Test
  void tiesCountOneHalf() {
    assertEquals(0.5, roc(new float[] {1}, new float[] {1}).auc());
    // (1 vs 1) twice count 0.5 each, (1 vs 2) twice count 1 each: 3 / 4.
    assertEquals(0.75, roc(new float[] {1, 1}, new float[] {1, 2}).auc());
  }

  @Test
  void equalErrorRateIsTheSmallestMaxOfTheTwoErrors() {
    // t=3: FAR = 1/4 (2.5 accepted), FRR = 1/4 (4 refused).
    Roc r = roc(new float[] {1, 2, 3, 4}, new float[] {2.5f, 5, 6, 7});
    assertEquals(0.25, r.equalErrorRate());
    assertEquals(3.0, r.equalErrorThreshold());
    // Only 3 > 2.5 and 4 > 2.5 are out of order among the 16 pairs.
    assertEquals(14.0 / 16, r.auc());
  }

  @Test
  void negativeDistancesWork() {
    assertEquals(1.0, roc(new float[] {-3, -2.5f}, new float[] {-1, 0}).auc());
  }

  @Test
  void curveRunsFromNoneAcceptedToAllAccepted() {
    Roc r = roc(new float[] {1, 3}, new float[] {2, 4});
    double[] far = r.falseAcceptRates();
    double[] tar = r.trueAcceptRates();
    assertEquals(0, far[0]);
    assertEquals(0, tar[0]);
    assertEquals(1, far[far.length - 1]);
    assertEquals(1, tar[tar.length - 1]);
    assertEquals(Double.NEGATIVE_INFINITY, r.thresholds()[0]);
    for (int i = 1; i < far.length; i++) {
      assertTrue(far[i] >= far[i - 1] && tar[i] >= tar[i - 1]);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 13, 257, 1021})
  void aucMatchesTheQuadraticDefinitionWithTies(int n) {
    SplittableRandom rng = new SplittableRandom(n);
    float[] d = new float[n];
    boolean[] same = new boolean[n];
    for (int i = 0; i < n; i++) {
      same[i] = i < 2 ? i == 0 : rng.nextInt(3) == 0;
      // Few distinct values: many ties.
      d[i] = rng.nextInt(7) + (same[i] ? 0 : 1.5f);
    }
    double sum = 0;
    long pairs = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (same[i] && !same[j]) {
          sum += d[i] < d[j] ? 1 : d[i] == d[j] ? 0.5 : 0;
          pairs++;
        }
      }
    }
    Roc r = Roc.of(new LabelledDistances(d, same), 11);
    assertEquals(sum / pairs, r.auc(), 1e-12, "n=" + n);
  }

  @Test
  void oneKindOfPairIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> roc(new float[] {1, 2}, new float[0]));
    assertEquals("the ROC needs both kinds of pair: got 2 same-class and 0 other pairs",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> roc(new float[0], new float[0]));
    assertThrows(IllegalArgumentException.class,
        () -> new LabelledDistances(new float[] {Float.NaN}, new boolean[1]));
    assertThrows(IllegalArgumentException.class,
        () -> new LabelledDistances(new float[2], new boolean[1]));
  }
}
