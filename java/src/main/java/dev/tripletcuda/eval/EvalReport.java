package dev.tripletcuda.eval;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tripletcuda.verify.Verifier;
import java.util.Map;

/**
 * The figures of one {@link Evaluation}, with the curves behind them for plots.
 *
 * @param retrieval precision@1, recall@k and MAP@R of test against train
 * @param pairRoc ROC of the squared distance over the test-test pairs; null when unavailable
 * @param pairReliability reliability of the calibrated pair probability on those pairs
 * @param pairs number of test-test pairs
 * @param pairRows test rows whose pairs were used (all of them unless capped)
 * @param fewShotAccuracy the N-way K-shot accuracy; NaN when unavailable
 * @param fewShotRoc ROC of the distance to the prototype over the verification episodes; null
 *     when unavailable
 * @param fewShotVerifyAccuracy the fraction of verification episodes decided right at
 *     few-shot probability 0.5; NaN when unavailable
 * @param verifier the calibrations used
 * @param calibrationFitted whether they were fitted here, the model carrying none
 * @param trainRows training rows
 * @param testRows test rows
 * @param options the protocol
 * @param unavailable figure name (as in {@link #toJson()}) to the reason the data could not
 *     give it
 */
public record EvalReport(Retrieval.Scores retrieval, Roc pairRoc, Reliability pairReliability,
    long pairs, int pairRows, double fewShotAccuracy, Roc fewShotRoc,
    double fewShotVerifyAccuracy, Verifier verifier, boolean calibrationFitted, int trainRows,
    int testRows, EvalOptions options, Map<String, String> unavailable) {

  public EvalReport {
    unavailable = Map.copyOf(unavailable);
  }

  public double precisionAt1() {
    return retrieval.precisionAt1();
  }

  public double recallAtK() {
    return retrieval.recallAtK();
  }

  public double mapAtR() {
    return retrieval.mapAtR();
  }

  /** NaN when unavailable. */
  public double pairAuc() {
    return pairRoc == null ? Double.NaN : pairRoc.auc();
  }

  /** NaN when unavailable. */
  public double pairEer() {
    return pairRoc == null ? Double.NaN : pairRoc.equalErrorRate();
  }

  public double pairEce() {
    return pairReliability.expectedCalibrationError();
  }

  public double pairBrier() {
    return pairReliability.brierScore();
  }

  /** NaN when unavailable. */
  public double fewShotVerifyAuc() {
    return fewShotRoc == null ? Double.NaN : fewShotRoc.auc();
  }

  /** The key of the N-way K-shot accuracy: fewshot_5way_3shot for the defaults. */
  public static String fewShotKey(EvalOptions options) {
    return "fewshot_" + options.ways() + "way_" + options.shots() + "shot";
  }

  /**
   * The figures under the documented names: precision_at_1, recall_at_10 (recall_at_k for
   * another k), map_at_r, pair_auc, pair_eer, pair_ece, pair_brier, fewshot_5way_3shot (for
   * the defaults), fewshot_verify_auc, fewshot_verify_accuracy (null when unavailable, with
   * the reason under "unavailable"); then counts and settings.
   */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    figure(o, "precision_at_1", precisionAt1());
    figure(o, "recall_at_" + retrieval.k(), recallAtK());
    figure(o, "map_at_r", mapAtR());
    figure(o, "pair_auc", pairAuc());
    figure(o, "pair_eer", pairEer());
    figure(o, "pair_ece", pairEce());
    figure(o, "pair_brier", pairBrier());
    figure(o, fewShotKey(options), fewShotAccuracy);
    figure(o, "fewshot_verify_auc", fewShotVerifyAuc());
    figure(o, "fewshot_verify_accuracy", fewShotVerifyAccuracy);
    if (!unavailable.isEmpty()) {
      ObjectNode u = o.putObject("unavailable");
      unavailable.forEach(u::put);
    }
    o.put("train_rows", trainRows);
    o.put("test_rows", testRows);
    o.put("pairs", pairs);
    o.put("pair_rows", pairRows);
    if (pairRoc != null) {
      o.put("same_class_pairs", pairRoc.positives());
    }
    o.put("fewshot_episodes", options.episodes());
    o.put("fewshot_queries_per_class", options.queriesPerClass());
    o.put("fewshot_verify_episodes", options.verifyEpisodes());
    o.put("seed", options.seed());
    o.put("pair_calibration", verifier.pairCalibration().method().id());
    o.put("fewshot_calibration", verifier.fewShotCalibration().method().id());
    o.put("calibration_fitted_here", calibrationFitted);
    return o;
  }

  private static void figure(ObjectNode o, String key, double value) {
    if (Double.isNaN(value)) {
      o.putNull(key);
    } else {
      o.put(key, value);
    }
  }
}
