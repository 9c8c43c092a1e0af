package dev.tripletcuda.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalibrationTest {

  @Test
  void logisticFitRecoversTheParametersThatMadeTheData() {
    // Outcomes drawn with p(d) = sigmoid(4 - 5 d) for d uniform in [0, 2].
    SplittableRandom rng = new SplittableRandom(1);
    int n = 200_000;
    float[] d = new float[n];
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      d[i] = (float) (2 * rng.nextDouble());
      y[i] = rng.nextDouble() < 1 / (1 + Math.exp(-(4 - 5 * d[i])));
    }
    LogisticCalibration c = LogisticCalibration.fit(new LabelledDistances(d, y));
    assertEquals(4, c.a(), 0.1);
    assertEquals(-5, c.b(), 0.1);
    assertEquals(0.5, c.probability(0.8), 0.02);
  }

  @Test
  void logisticFitStaysFiniteOnSeparatedClasses() {
    LogisticCalibration c = LogisticCalibration.fit(new LabelledDistances(
        new float[] {0.1f, 0.2f, 1.5f, 1.7f}, new boolean[] {true, true, false, false}));
    assertTrue(Double.isFinite(c.a()) && Double.isFinite(c.b()));
    assertTrue(c.b() < 0);
    // Platt's targets for 2 and 2 pairs are 3/4 and 1/4: no certainty from four pairs.
    assertTrue(c.probability(0.1) > 0.6 && c.probability(0.1) < 0.9, "" + c);
    assertTrue(c.probability(1.7) < 0.4, "" + c);
  }

  @Test
  void isotonicPoolsAdjacentViolators() {
    // Outcomes by distance 1, 2, 3, 4: 1 0 1 0. The middle two pool at 0.5.
    IsotonicCalibration c = IsotonicCalibration.fit(new LabelledDistances(
        new float[] {3, 1, 4, 2}, new boolean[] {true, true, false, false}));
    assertEquals(3, c.knots());
    assertEquals(1.0, c.probability(0.5));
    assertEquals(1.0, c.probability(1));
    assertEquals(0.75, c.probability(1.75), 1e-12);
    assertEquals(0.5, c.probability(2.5), 1e-12);
    assertEquals(0.0, c.probability(4));
    assertEquals(0.0, c.probability(9));
  }

  @Test
  void isotonicTreatsEqualDistancesAsOne() {
    IsotonicCalibration c = IsotonicCalibration.fit(new LabelledDistances(
        new float[] {1, 1, 1, 1, 2}, new boolean[] {true, false, true, true, false}));
    assertEquals(0.75, c.probability(1), 1e-12);
    assertEquals(0.0, c.probability(2), 1e-12);
  }

  @Test
  void isotonicKnotsAreChecked() {
    assertThrows(IllegalArgumentException.class,
        () -> new IsotonicCalibration(new double[] {1, 2}, new double[] {0.2, 0.3}));
    assertThrows(IllegalArgumentException.class,
        () -> new IsotonicCalibration(new double[] {2, 1}, new double[] {0.3, 0.2}));
    assertThrows(IllegalArgumentException.class,
        () -> new IsotonicCalibration(new double[0], new double[0]));
    assertThrows(IllegalArgumentException.class,
        () -> new IsotonicCalibration(new double[] {1}, new double[] {1.5}));
  }

  @Test
  void calibrationsRoundTripThroughJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    LogisticCalibration l = new LogisticCalibration(1.5, -2.25);
    assertEquals(l, Calibration.fromJson(json.readTree(json.writeValueAsString(l.toJson()))));
    IsotonicCalibration i = new IsotonicCalibration(new double[] {0.5, 1, 2},
        new double[] {0.9, 0.4, 0.1});
    Calibration back = Calibration.fromJson(json.readTree(i.toJson().toString()));
    for (double d : new double[] {0, 0.7, 1.5, 3}) {
      assertEquals(i.probability(d), back.probability(d));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Calibration.fromJson(json.readTree("{\"method\":\"spline\"}")));
    assertEquals("calibration='spline', expected logistic or isotonic", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Calibration.fromJson(json.readTree("{\"method\":\"logistic\",\"a\":1}")));
  }

  @Test
  void noPairsIsAClearError() {
    LabelledDistances none = new LabelledDistances(new float[0], new boolean[0]);
    assertThrows(IllegalArgumentException.class, () -> LogisticCalibration.fit(none));
    assertThrows(IllegalArgumentException.class, () -> IsotonicCalibration.fit(none));
  }

  @Test
  void thresholdsMeetTheirTargetsOnTheFittingPairs() {
    // Sorted: 1+ 2+ 3- 4+ 5- 6- 7+ 8-
    LabelledDistances p = new LabelledDistances(new float[] {5, 1, 8, 3, 2, 7, 4, 6},
        new boolean[] {false, true, false, false, true, true, true, false});
    // FAR: 4 negatives; t = 4 accepts one of them (3).
    assertEquals(2.0, Thresholds.forFalseAcceptRate(p, 0.0));
    assertEquals(4.0, Thresholds.forFalseAcceptRate(p, 0.25));
    assertEquals(8.0, Thresholds.forFalseAcceptRate(p, 1.0));
    // Precision at t: 1, 1, 2/3, 3/4, 3/5, 1/2, 4/7, 1/2.
    assertEquals(2.0, Thresholds.forPrecision(p, 1.0));
    assertEquals(4.0, Thresholds.forPrecision(p, 0.7));
    assertEquals(7.0, Thresholds.forPrecision(p, 0.55));
    LabelledDistances bad = new LabelledDistances(new float[] {1}, new boolean[] {false});
    assertEquals(Double.NEGATIVE_INFINITY, Thresholds.forPrecision(bad, 0.5));
    assertEquals(Double.NEGATIVE_INFINITY, Thresholds.forFalseAcceptRate(bad, 0.5));
    assertThrows(IllegalArgumentException.class, () -> Thresholds.forPrecision(p, 1.5));
    assertThrows(IllegalArgumentException.class, () -> Thresholds.forFalseAcceptRate(
        new LabelledDistances(new float[] {1}, new boolean[] {true}), 0.1));
  }

  @Test
  void sortedKeysOrderByDistanceThenLabel() {
    LabelledDistances p = new LabelledDistances(new float[] {2, -1, 2, 0, -0f},
        new boolean[] {true, false, false, true, false});
    long[] keys = p.sortedKeys();
    float[] d = new float[keys.length];
    boolean[] s = new boolean[keys.length];
    for (int i = 0; i < keys.length; i++) {
      d[i] = LabelledDistances.keyDistance(keys[i]);
      s[i] = LabelledDistances.keySame(keys[i]);
    }
    assertArrayEquals(new float[] {-1, 0, 0, 2, 2}, d);
    assertArrayEquals(new boolean[] {false, false, true, false, true}, s);
    assertTrue(LabelledDistances.sameDistance(keys[1], keys[2]));
  }
}
