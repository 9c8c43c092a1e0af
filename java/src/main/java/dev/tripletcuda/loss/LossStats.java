package dev.tripletcuda.loss;

/**
 * What one evaluation of the triplet loss reports.
 *
 * @param loss the reduced loss
 * @param triplets the number of triplets the mining mode considered
 * @param active how many of those had a loss above zero
 * @param meanPositive the mean d(a, p) over the triplets considered (0 when there are none)
 * @param meanNegative the mean d(a, n) over the triplets considered (0 when there are none);
 *     when it stays near meanPositive the embedding is collapsing
 */
public record LossStats(
    double loss, long triplets, long active, double meanPositive, double meanNegative) {

  /** Loss 0 over no triplets: what a batch with no valid triplet gives. */
  public static final LossStats EMPTY = new LossStats(0, 0, 0, 0, 0);

  /** active / triplets, or 0 when there are no triplets. */
  public double activeFraction() {
    return triplets == 0 ? 0.0 : (double) active / triplets;
  }
}
