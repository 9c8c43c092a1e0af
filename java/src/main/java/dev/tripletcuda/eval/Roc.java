package dev.tripletcuda.eval;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.verify.LabelledDistances;
import java.util.Arrays;

/**
 * The ROC analysis of a distance used to tell same-class pairs (positives) from others
 * (negatives): a pair is accepted as same-class when its distance is at most a threshold t.
 * Over all thresholds:
 *
 * <ul>
 *   <li>false-accept rate FAR(t) = negatives with d &lt;= t / negatives;
 *   <li>true-accept rate TAR(t) = positives with d &lt;= t / positives; FRR(t) = 1 - TAR(t).
 * </ul>
 *
 * <p>{@link #auc()}: the area under the ROC curve, which equals the probability that a random
 * positive has a smaller distance than a random negative, ties counting one half:
 * AUC = (1 / (P N)) sum over positive i, negative j of ([d_i &lt; d_j] + 0.5 [d_i = d_j]).
 *
 * <p>{@link #equalErrorRate()}: min over thresholds t of max(FAR(t), FRR(t)), t ranging over
 * -infinity and every distance that occurs: the smallest rate r for which one threshold keeps
 * both error rates at or below r. Where the curve crosses FAR = FRR between two thresholds, this
 * is the lower of the two rates at the nearer one.
 *
 * <p>Computed exactly with one sort of the P + N distances.
 */
public final class Roc {

  private final long positives;
  private final long negatives;
  private final double auc;
  private final double eer;
  private final double eerThreshold;
  /** Curve points, ascending threshold: false-accept rates. */
  private final double[] far;
  /** Curve points: true-accept rates. */
  private final double[] tar;
  /** Curve points: the thresholds (-infinity first). */
  private final double[] thresholds;

  private Roc(long positives, long negatives, double auc, double eer, double eerThreshold,
      double[] far, double[] tar, double[] thresholds) {
    this.positives = positives;
    this.negatives = negatives;
    this.auc = auc;
    this.eer = eer;
    this.eerThreshold = eerThreshold;
    this.far = far;
    this.tar = tar;
    this.thresholds = thresholds;
  }

  /**
   * The analysis of labelled distances.
   *
   * @param pairs the distances and whether each pair is same-class
   * @param maxCurvePoints how finely the curve is kept for plots: a point is kept when either
   *     rate moved by 1 / (maxCurvePoints - 1) since the last one kept, so there are at most
   *     2 maxCurvePoints; at least 2. The figures are exact whatever it is.
   * @throws IllegalArgumentException when there is no positive or no negative pair
   */
  public static Roc of(LabelledDistances pairs, int maxCurvePoints) {
    requireNonNull("pairs", pairs);
    if (maxCurvePoints < 2) {
      throw new IllegalArgumentException("maxCurvePoints=" + maxCurvePoints + ", expected >= 2");
    }
    long pos = pairs.positives();
    long neg = pairs.negatives();
    if (pos == 0 || neg == 0) {
      throw new IllegalArgumentException("the ROC needs both kinds of pair: got " + pos
          + " same-class and " + neg + " other pairs");
    }
    long[] keys = pairs.sortedKeys();
    int n = keys.length;

    // One walk over groups of equal distance, thresholds ascending.
    double areaSum = 0;
    long negSeen = 0;
    long posSeen = 0;
    double bestEer = 1.0;
    double bestThreshold = Double.NEGATIVE_INFINITY;
    CurveBuilder curve = new CurveBuilder(maxCurvePoints);
    curve.add(0, 0, Double.NEGATIVE_INFINITY, true);
    for (int i = 0; i < n; ) {
      long gp = 0;
      long gn = 0;
      int j = i;
      for (; j < n && LabelledDistances.sameDistance(keys[i], keys[j]); j++) {
        if (LabelledDistances.keySame(keys[j])) {
          gp++;
        } else {
          gn++;
        }
      }
      // Positives here beat the negatives further on and tie with the gn here.
      areaSum += gp * (double) (neg - negSeen - gn) + 0.5 * gp * gn;
      negSeen += gn;
      posSeen += gp;
      double farT = (double) negSeen / neg;
      double frrT = 1 - (double) posSeen / pos;
      double worst = Math.max(farT, frrT);
      double t = LabelledDistances.keyDistance(keys[i]);
      if (worst < bestEer) {
        bestEer = worst;
        bestThreshold = t;
      }
      curve.add(farT, 1 - frrT, t, j == n);
      i = j;
    }
    return new Roc(pos, neg, areaSum / ((double) pos * neg), bestEer, bestThreshold,
        curve.far(), curve.tar(), curve.thresholds());
  }

  /** Number of positive pairs. */
  public long positives() {
    return positives;
  }

  /** Number of negative pairs. */
  public long negatives() {
    return negatives;
  }

  /** Area under the ROC curve, in [0, 1]. */
  public double auc() {
    return auc;
  }

  /** The equal error rate as defined in the class comment, in [0, 1]. */
  public double equalErrorRate() {
    return eer;
  }

  /** The threshold at which {@link #equalErrorRate()} is reached (-infinity: accept none). */
  public double equalErrorThreshold() {
    return eerThreshold;
  }

  /** Curve points' false-accept rates, ascending; a copy. */
  public double[] falseAcceptRates() {
    return far.clone();
  }

  /** Curve points' true-accept rates; a copy. */
  public double[] trueAcceptRates() {
    return tar.clone();
  }

  /** Curve points' thresholds; a copy. */
  public double[] thresholds() {
    return thresholds.clone();
  }

  /** Keeps a curve point when it moved at least 1 / maxPoints in either rate. */
  private static final class CurveBuilder {
    private final double step;
    private double[] far = new double[64];
    private double[] tar = new double[64];
    private double[] thr = new double[64];
    private int size;

    CurveBuilder(int maxPoints) {
      this.step = 1.0 / (maxPoints - 1);
    }

    void add(double f, double t, double threshold, boolean force) {
      if (!force && size > 0 && f - far[size - 1] < step && t - tar[size - 1] < step) {
        return;
      }
      if (size == far.length) {
        far = Arrays.copyOf(far, 2 * size);
        tar = Arrays.copyOf(tar, 2 * size);
        thr = Arrays.copyOf(thr, 2 * size);
      }
      far[size] = f;
      tar[size] = t;
      thr[size] = threshold;
      size++;
    }

    double[] far() {
      return Arrays.copyOf(far, size);
    }

    double[] tar() {
      return Arrays.copyOf(tar, size);
    }

    double[] thresholds() {
      return Arrays.copyOf(thr, size);
    }
  }
}
