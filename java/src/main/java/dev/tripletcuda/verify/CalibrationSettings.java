package dev.tripletcuda.verify;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

/**
 * How {@link Verifier#fit} draws its fitting data from the training embeddings.
 *
 * @param method logistic (default) or isotonic, for both calibrations
 * @param pairRows the pair calibration uses all pairs of this many training rows (a seeded
 *     random subset when there are more): pairRows (pairRows - 1) / 2 pairs, with the data's
 *     own share of same-class pairs
 * @param shots support embeddings per prototype in few-shot episodes
 * @param episodes few-shot verification episodes for the few-shot calibration, half matching
 * @param seed chooses the rows and the episodes
 */
public record CalibrationSettings(Calibration.Method method, int pairRows, int shots,
    int episodes, long seed) {

  /** Default rows whose pairs fit the pair calibration: about two million pairs. */
  public static final int DEFAULT_PAIR_ROWS = 2000;

  /** Default few-shot calibration episodes. */
  public static final int DEFAULT_EPISODES = 20_000;

  public CalibrationSettings {
    requireNonNull("method", method);
    if (pairRows < 2 || Pairs.count(pairRows) > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("pairRows=" + pairRows + ", expected 2..46341");
    }
    if (shots < 1) {
      throw new IllegalArgumentException("shots=" + shots + ", expected >= 1");
    }
    if (episodes < 2) {
      throw new IllegalArgumentException("episodes=" + episodes + ", expected >= 2");
    }
  }

  /** Logistic, 2,000 rows of pairs, 3 shots, 20,000 episodes, the given seed. */
  public static CalibrationSettings defaults(long seed) {
    return new CalibrationSettings(Calibration.Method.LOGISTIC, DEFAULT_PAIR_ROWS,
        FewShot.DEFAULT_SHOTS, DEFAULT_EPISODES, seed);
  }

  /** The same settings with another method. */
  public CalibrationSettings withMethod(Calibration.Method m) {
    return new CalibrationSettings(m, pairRows, shots, episodes, seed);
  }
}
