package dev.tripletcuda.eval;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

/**
 * How well predicted probabilities match outcomes, over B equal-width bins of [0, 1]: bin
 * b in 0..B-1 holds the predictions p with floor(p B) = b (p = 1 falls in the last bin).
 *
 * <p>Expected calibration error: ECE = sum over bins of (n_b / n) |mean p in b - fraction of
 * positives in b|, empty bins contributing nothing. Brier score: (1 / n) sum (p_i - y_i)^2 with
 * y_i in {0, 1}. Both are 0 for perfect calibration; the Brier score also rewards sharpness.
 */
public final class Reliability {

  /** The bin count of the reported pair ECE. */
  public static final int DEFAULT_BINS = 15;

  private final long[] counts;
  private final double[] meanProbability;
  private final double[] positiveFraction;
  private final double ece;
  private final double brier;

  private Reliability(long[] counts, double[] meanProbability, double[] positiveFraction,
      double ece, double brier) {
    this.counts = counts;
    this.meanProbability = meanProbability;
    this.positiveFraction = positiveFraction;
    this.ece = ece;
    this.brier = brier;
  }

  /**
   * The reliability of predictions p (n) in [0, 1] against outcomes y (n).
   *
   * @throws IllegalArgumentException when the lengths differ, n = 0, bins &lt; 1, or a
   *     prediction is outside [0, 1]
   */
  public static Reliability of(double[] p, boolean[] y, int bins) {
    requireNonNull("p", p);
    requireNonNull("y", y);
    if (p.length != y.length) {
      throw new IllegalArgumentException("p has " + p.length + " entries but y has " + y.length);
    }
    if (p.length == 0) {
      throw new IllegalArgumentException("no predictions: calibration needs at least one");
    }
    if (bins < 1) {
      throw new IllegalArgumentException("bins=" + bins + ", expected >= 1");
    }
    long[] counts = new long[bins];
    double[] sumP = new double[bins];
    double[] sumY = new double[bins];
    double sq = 0;
    for (int i = 0; i < p.length; i++) {
      double v = p[i];
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException("p[" + i + "]=" + v + ", expected a probability in "
            + "[0, 1]");
      }
      int b = Math.min((int) (v * bins), bins - 1);
      double t = y[i] ? 1 : 0;
      counts[b]++;
      sumP[b] += v;
      sumY[b] += t;
      sq += (v - t) * (v - t);
    }
    double ece = 0;
    double[] meanP = new double[bins];
    double[] frac = new double[bins];
    for (int b = 0; b < bins; b++) {
      if (counts[b] == 0) {
        meanP[b] = Double.NaN;
        frac[b] = Double.NaN;
        continue;
      }
      meanP[b] = sumP[b] / counts[b];
      frac[b] = sumY[b] / counts[b];
      ece += (double) counts[b] / p.length * Math.abs(meanP[b] - frac[b]);
    }
    return new Reliability(counts, meanP, frac, ece, sq / p.length);
  }

  /** Expected calibration error over the bins. */
  public double expectedCalibrationError() {
    return ece;
  }

  /** Mean squared difference between prediction and outcome. */
  public double brierScore() {
    return brier;
  }

  /** Predictions per bin; a copy. */
  public long[] counts() {
    return counts.clone();
  }

  /** Mean prediction per bin, NaN for an empty bin; a copy. */
  public double[] meanProbabilities() {
    return meanProbability.clone();
  }

  /** Fraction of positive outcomes per bin, NaN for an empty bin; a copy. */
  public double[] positiveFractions() {
    return positiveFraction.clone();
  }
}
