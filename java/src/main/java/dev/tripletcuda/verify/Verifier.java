package dev.tripletcuda.verify;

import dev.tripletcuda.backend.Shapes;
import static dev.tripletcuda.backend.Shapes.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.io.InvalidDataException;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.train.SplitMix64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Match probabilities from embeddings, the way a model's users ask for them:
 *
 * <ul>
 *   <li>pair probability: that two objects are of one class, from the squared L2 distance of
 *       their embeddings. Calibrated on all pairs of (a subset of) the training rows, so it
 *       carries the training data's share of same-class pairs: about 1 / C for C balanced
 *       classes.
 *   <li>few-shot probability: that a query is of the class of K support objects, from the
 *       squared distance of its embedding to the mean of theirs. Calibrated on training
 *       episodes of which half match, so it answers "match or not" at even odds; calibrated
 *       for one K (stored), approximate for others.
 * </ul>
 *
 * <p>Both calibrations are fitted on training data only ({@link #fit}) and travel in the model
 * file's metadata ({@link #toMetadata}, {@link #fromModel}), with decision thresholds for
 * standard targets. Immutable: every method is safe to call from many threads at once.
 */
public final class Verifier {

  private static final Logger log = LoggerFactory.getLogger(Verifier.class);

  /** Model metadata key of the pair calibration (a JSON object). */
  public static final String PAIR_KEY = "pair_calibration";

  /** Model metadata key of the few-shot calibration (a JSON object). */
  public static final String FEWSHOT_KEY = "fewshot_calibration";

  /** False-accept rates whose thresholds are stored with the model. */
  static final double[] FAR_TARGETS = {1e-1, 1e-2, 1e-3, 1e-4};

  /** Precisions whose thresholds are stored with the model. */
  static final double[] PRECISION_TARGETS = {0.9, 0.95, 0.99, 0.999};

  private static final long PAIR_STREAM = 11;
  private static final long EPISODE_STREAM = 12;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Calibration pair;
  private final Calibration fewShot;
  private final int shots;
  /** Target name ("far=0.001", "precision=0.99") to squared distance. */
  private final Map<String, Double> thresholds;
  /** What the fits were made on, for reports. */
  private final ObjectNode pairFit;
  private final ObjectNode fewShotFit;

  private Verifier(Calibration pair, Calibration fewShot, int shots,
      Map<String, Double> thresholds, ObjectNode pairFit, ObjectNode fewShotFit) {
    this.pair = pair;
    this.fewShot = fewShot;
    this.shots = shots;
    this.thresholds = Collections.unmodifiableMap(new LinkedHashMap<>(thresholds));
    this.pairFit = pairFit;
    this.fewShotFit = fewShotFit;
  }

  /**
   * Fits both calibrations and the thresholds on training embeddings.
   *
   * @param embeddings (N, D) training embeddings
   * @param labels (N) their class ids
   * @throws IllegalArgumentException when the data has fewer than two classes, or no class
   *     with shots + 1 rows
   */
  public static Verifier fit(Backend backend, float[] embeddings, int[] labels, int dim,
      CalibrationSettings settings) {
    requireNonNull("settings", settings);
    long pairSeed = SplitMix64.derive(settings.seed(), PAIR_STREAM).nextLong();
    LabelledDistances pairs = Pairs.all(backend, embeddings, labels, dim, settings.pairRows(),
        pairSeed);
    if (pairs.positives() == 0 || pairs.negatives() == 0) {
      throw new IllegalArgumentException("calibration pairs need both same-class and other "
          + "pairs; the " + pairs.size() + " training pairs have " + pairs.positives()
          + " same-class");
    }
    Calibration pair = settings.method().fit(pairs);
    Map<String, Double> thresholds = new LinkedHashMap<>();
    for (double far : FAR_TARGETS) {
      thresholds.put(targetName("far", far), Thresholds.forFalseAcceptRate(pairs, far));
    }
    for (double precision : PRECISION_TARGETS) {
      thresholds.put(targetName("precision", precision),
          Thresholds.forPrecision(pairs, precision));
    }
    ObjectNode pairFit = JSON.createObjectNode();
    pairFit.put("pairs", pairs.size());
    pairFit.put("same_class", pairs.positives());
    pairFit.put("rows", Math.min(labels.length, settings.pairRows()));
    pairFit.put("seed", settings.seed());

    long episodeSeed = SplitMix64.derive(settings.seed(), EPISODE_STREAM).nextLong();
    LabelledDistances episodes = FewShot.verificationEpisodes(embeddings, labels, dim,
        settings.shots(), settings.episodes(), episodeSeed);
    Calibration few = settings.method().fit(episodes);
    ObjectNode fewFit = JSON.createObjectNode();
    fewFit.put("episodes", episodes.size());
    fewFit.put("seed", settings.seed());

    log.info("calibrated on training data: pair {} on {} pairs ({} same-class), few-shot {} "
        + "on {} {}-shot episodes", pair.toJson(), pairs.size(), pairs.positives(),
        few.toJson(), episodes.size(), settings.shots());
    return new Verifier(pair, few, settings.shots(), thresholds, pairFit, fewFit);
  }

  /** "far=0.001": a target's name in {@link #thresholds()}. */
  public static String targetName(String kind, double target) {
    return kind + "=" + java.math.BigDecimal.valueOf(target).stripTrailingZeros()
        .toPlainString();
  }

  /** A verifier from given calibrations, with no stored thresholds. */
  public static Verifier of(Calibration pair, Calibration fewShot, int shots) {
    requireNonNull("pair", pair);
    requireNonNull("fewShot", fewShot);
    if (shots < 1) {
      throw new IllegalArgumentException("shots=" + shots + ", expected >= 1");
    }
    return new Verifier(pair, fewShot, shots, Map.of(), JSON.createObjectNode(),
        JSON.createObjectNode());
  }

  /**
   * The calibrations stored in a model.
   *
   * @throws IllegalArgumentException when the model has none (train it with this version, or
   *     fit one with {@link #fit})
   * @throws InvalidDataException when they are stored but malformed
   */
  public static Verifier fromModel(EmbeddingModel model) {
    return fromMetadata("model", requireNonNull("model", model).metadata()).orElseThrow(
        () -> new IllegalArgumentException("the model has no calibration (no '" + PAIR_KEY
            + "' metadata); models trained by this version carry one"));
  }

  /**
   * Reads calibrations from model metadata: empty when neither key is there.
   *
   * @param source the file, for messages
   */
  public static Optional<Verifier> fromMetadata(String source, Map<String, String> metadata) {
    Shapes.requireNonNull("source", source);
    Shapes.requireNonNull("metadata", metadata);
    String p = metadata.get(PAIR_KEY);
    String f = metadata.get(FEWSHOT_KEY);
    if (p == null && f == null) {
      return Optional.empty();
    }
    JsonNode pn = parse(source, PAIR_KEY, p);
    JsonNode fn = parse(source, FEWSHOT_KEY, f);
    try {
      Calibration pair = Calibration.fromJson(pn);
      Calibration few = Calibration.fromJson(fn);
      JsonNode s = fn.get("shots");
      if (s == null || !s.canConvertToInt() || s.asInt() < 1) {
        throw new IllegalArgumentException("'shots' is missing or not a count >= 1");
      }
      Map<String, Double> thresholds = new LinkedHashMap<>();
      JsonNode t = pn.get("thresholds");
      if (t != null && t.isObject()) {
        t.fields().forEachRemaining(e -> thresholds.put(e.getKey(), threshold(e.getValue())));
      }
      ObjectNode pairFit = pn.get("fit") instanceof ObjectNode o ? o : JSON.createObjectNode();
      ObjectNode fewFit = fn.get("fit") instanceof ObjectNode o ? o : JSON.createObjectNode();
      return Optional.of(new Verifier(pair, few, s.asInt(), thresholds, pairFit, fewFit));
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(source, "metadata '" + PAIR_KEY + "'/'" + FEWSHOT_KEY
          + "'", e.getMessage());
    }
  }

  private static JsonNode parse(String source, String key, String text) {
    if (text == null) {
      throw new InvalidDataException(source, "metadata '" + key + "'", "missing, while the "
          + "other calibration is present");
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidDataException(source, "metadata '" + key + "'", "is not valid JSON: "
          + e.getOriginalMessage());
    }
  }

  private static double threshold(JsonNode v) {
    if (v.isNumber()) {
      return v.asDouble();
    }
    // JSON has no infinity: "accept nothing" is written as null.
    if (v.isNull()) {
      return Double.NEGATIVE_INFINITY;
    }
    throw new IllegalArgumentException("threshold " + v + " is not a number");
  }

  /** The metadata entries that store this verifier with a model. */
  public Map<String, String> toMetadata() {
    ObjectNode p = pair.toJson();
    ObjectNode t = p.putObject("thresholds");
    thresholds.forEach((k, v) -> {
      if (Double.isFinite(v)) {
        t.put(k, v);
      } else {
        t.putNull(k);
      }
    });
    p.set("fit", pairFit);
    ObjectNode f = fewShot.toJson();
    f.put("shots", shots);
    f.set("fit", fewShotFit);
    Map<String, String> m = new LinkedHashMap<>();
    try {
      m.put(PAIR_KEY, JSON.writeValueAsString(p));
      m.put(FEWSHOT_KEY, JSON.writeValueAsString(f));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("calibration JSON could not be written", e);
    }
    return m;
  }

  public Calibration pairCalibration() {
    return pair;
  }

  public Calibration fewShotCalibration() {
    return fewShot;
  }

  /** The K the few-shot calibration was fitted for. */
  public int shots() {
    return shots;
  }

  /**
   * Squared-distance thresholds fitted on the training pairs, by target: "far=0.1" ...
   * "far=0.0001" and "precision=0.9" ... "precision=0.999" ({@link #targetName}). Accept a
   * pair as a match when its squared distance is at most the value; negative infinity means no
   * threshold met the target.
   */
  public Map<String, Double> thresholds() {
    return thresholds;
  }

  /** What the calibrations were fitted on (counts and seed), as JSON; for reports. */
  public ObjectNode fitSummary() {
    ObjectNode o = JSON.createObjectNode();
    o.set("pair", pairFit.deepCopy());
    o.set("fewshot", fewShotFit.deepCopy());
    return o;
  }

  /** The pair probability at a squared distance. */
  public double pairProbability(double squaredDistance) {
    return pair.probability(squaredDistance);
  }

  /**
   * The probability that two objects match, from their embeddings a (D) and b (D).
   *
   * @throws IllegalArgumentException when the lengths differ or are 0
   */
  public double matchProbability(float[] a, float[] b) {
    requireNonNull("a", a);
    requireNonNull("b", b);
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException("embedding dims differ: a has " + a.length
          + " values, b has " + b.length);
    }
    return pairProbability(FewShot.squaredDistance(a, 0, b, 0, a.length));
  }

  /** The few-shot probability at a squared distance from a prototype. */
  public double fewShotProbability(double squaredDistance) {
    return fewShot.probability(squaredDistance);
  }

  /**
   * The probability that a query matches K support objects, from their embeddings.
   *
   * @param supports (K, D), K &gt;= 1; calibrated for K = {@link #shots()}
   * @param query (D)
   */
  public double fewShotProbability(float[] supports, float[] query) {
    requireNonNull("query", query);
    float[] proto = FewShot.prototype(supports, query.length);
    return fewShotProbability(FewShot.squaredDistance(query, 0, proto, 0, query.length));
  }
}
