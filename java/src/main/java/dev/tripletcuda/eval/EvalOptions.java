package dev.tripletcuda.eval;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.verify.CalibrationSettings;

/**
 * The protocol of an {@link Evaluation}.
 *
 * @param recallK k of recall@k
 * @param ways N of the N-way K-shot accuracy
 * @param shots K of the N-way K-shot accuracy and of the few-shot verification episodes
 * @param queriesPerClass queries per class in each N-way episode
 * @param episodes N-way K-shot episodes
 * @param verifyEpisodes few-shot verification episodes, half of them matching
 * @param pairRows pair metrics use all pairs of up to this many test rows (a seeded subset of
 *     a larger test set): pairRows (pairRows - 1) / 2 pairs at most
 * @param seed chooses the episodes and any subset
 * @param calibration how to fit calibrations on the training split when the model has none
 */
public record EvalOptions(int recallK, int ways, int shots, int queriesPerClass, int episodes,
    int verifyEpisodes, int pairRows, long seed, CalibrationSettings calibration) {

  /** The default cap on test rows for the pair metrics: about 8.4 million pairs. */
  public static final int DEFAULT_PAIR_ROWS = 4096;

  public EvalOptions {
    positive("recallK", recallK);
    positive("shots", shots);
    positive("queriesPerClass", queriesPerClass);
    positive("episodes", episodes);
    if (ways < 2) {
      throw new IllegalArgumentException("ways=" + ways + ", expected >= 2");
    }
    if (verifyEpisodes < 2) {
      throw new IllegalArgumentException("verifyEpisodes=" + verifyEpisodes
          + ", expected >= 2 (half match, half do not)");
    }
    if (pairRows < 2 || pairRows > 46341) {
      throw new IllegalArgumentException("pairRows=" + pairRows + ", expected 2..46341");
    }
    requireNonNull("calibration", calibration);
  }

  /**
   * recall@10, 5-way 3-shot with 5 queries per class over 1,000 episodes, 2,000 verification
   * episodes, pairs of up to 4,096 test rows, default calibration settings; all seeded.
   */
  public static EvalOptions defaults(long seed) {
    return new EvalOptions(10, 5, 3, 5, 1000, 2000, DEFAULT_PAIR_ROWS, seed,
        CalibrationSettings.defaults(seed));
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + "=" + value + ", expected >= 1");
    }
  }
}
