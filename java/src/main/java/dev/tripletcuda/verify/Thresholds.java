package dev.tripletcuda.verify;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

/**
 * Decision thresholds on a distance, read off labelled distances: a pair is accepted as a match
 * when its distance is at most the threshold. Each method returns the largest threshold (the
 * most matches accepted) that meets its target on the given pairs, or negative infinity (accept
 * nothing) when no threshold does. Fit them on training pairs; a threshold holds its target on
 * new pairs only as far as those resemble the fitting ones.
 */
public final class Thresholds {

  private Thresholds() {}

  /**
   * The largest threshold t, among the distances that occur, with false-accept rate
   * (negatives with d &lt;= t) / negatives at most {@code target}.
   *
   * @param target in [0, 1]
   * @throws IllegalArgumentException for a target outside [0, 1] or pairs without negatives
   */
  public static double forFalseAcceptRate(LabelledDistances pairs, double target) {
    requireNonNull("pairs", pairs);
    checkTarget("false-accept rate", target);
    long neg = pairs.negatives();
    if (neg == 0) {
      throw new IllegalArgumentException("a false-accept rate needs pairs of different "
          + "classes; there are none");
    }
    long[] keys = pairs.sortedKeys();
    double best = Double.NEGATIVE_INFINITY;
    long negSeen = 0;
    for (int i = 0; i < keys.length; ) {
      int j = i;
      for (; j < keys.length && LabelledDistances.sameDistance(keys[i], keys[j]); j++) {
        negSeen += LabelledDistances.keySame(keys[j]) ? 0 : 1;
      }
      if ((double) negSeen / neg > target) {
        break;
      }
      best = LabelledDistances.keyDistance(keys[i]);
      i = j;
    }
    return best;
  }

  /**
   * The largest threshold t, among the distances that occur, with precision
   * (positives with d &lt;= t) / (pairs with d &lt;= t) at least {@code target}. Precision is
   * not monotone in t; this is the threshold of highest recall at that precision.
   *
   * @param target in [0, 1]
   * @throws IllegalArgumentException for a target outside [0, 1]
   */
  public static double forPrecision(LabelledDistances pairs, double target) {
    requireNonNull("pairs", pairs);
    checkTarget("precision", target);
    long[] keys = pairs.sortedKeys();
    double best = Double.NEGATIVE_INFINITY;
    long posSeen = 0;
    for (int i = 0; i < keys.length; ) {
      int j = i;
      for (; j < keys.length && LabelledDistances.sameDistance(keys[i], keys[j]); j++) {
        posSeen += LabelledDistances.keySame(keys[j]) ? 1 : 0;
      }
      if ((double) posSeen / j >= target) {
        best = LabelledDistances.keyDistance(keys[i]);
      }
      i = j;
    }
    return best;
  }

  private static void checkTarget(String what, double target) {
    if (!(target >= 0 && target <= 1)) {
      throw new IllegalArgumentException("target " + what + " " + target
          + ", expected a rate in [0, 1]");
    }
  }
}
