package dev.tripletcuda.eval;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.knn.KnnIndex;
import dev.tripletcuda.nn.Embedder;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.train.SplitMix64;
import dev.tripletcuda.verify.FewShot;
import dev.tripletcuda.verify.LabelledDistances;
import dev.tripletcuda.verify.Pairs;
import dev.tripletcuda.verify.Verifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a model on a training and a test split; every figure is defined where it is
 * computed ({@link Retrieval}, {@link Roc}, {@link Reliability}, {@link FewShot}):
 *
 * <ul>
 *   <li>precision@1, recall@k, MAP@R: test embeddings against the training embeddings,
 *       squared L2;
 *   <li>pair ROC AUC and EER: over all test-test pairs, score = the squared distance (smaller
 *       means same class);
 *   <li>pair ECE (15 bins) and Brier score: of the model's calibrated pair probability over
 *       the same pairs;
 *   <li>N-way K-shot accuracy (default 5-way 3-shot, 1,000 episodes) on the test split;
 *   <li>few-shot verification ROC AUC and accuracy (at probability 0.5) over verification
 *       episodes on the test split, half matching.
 * </ul>
 *
 * <p>A figure the data cannot give (pair ROC figures on a one-class test split, episodes
 * without enough classes or rows per class) is reported unavailable with the reason
 * ({@link EvalReport#unavailable()}) while the others are computed.
 *
 * <p>The calibrations come from the model; a model without them (saved elsewhere) gets them
 * fitted here on the training split, never on the test split. The work that scales with the
 * data (embedding, neighbour search, pair distances) runs on the backend.
 */
public final class Evaluation {

  private static final Logger log = LoggerFactory.getLogger(Evaluation.class);

  /** Curve points kept for plots. */
  static final int CURVE_POINTS = 1001;

  private static final long PAIR_STREAM = 21;
  private static final long NWAY_STREAM = 22;
  private static final long VERIFY_STREAM = 23;

  private Evaluation() {}

  /**
   * Embeds both splits with the model and evaluates.
   *
   * @param train the training split (raw values, as read)
   * @param test the test split; its class names are matched to the training split's
   */
  public static EvalReport run(Backend backend, EmbeddingModel model, Dataset train,
      Dataset test, EvalOptions options) {
    return run(backend, embed(backend, model, train, test), options);
  }

  /**
   * Both splits embedded by a model, with the model's calibrations: what {@link #run} evaluates,
   * kept for whoever also wants to plot or search the embeddings.
   *
   * @param train the training split (raw values, as read)
   * @param test the test split, its class names matched to the training split's
   * @param trainEmbeddings (train rows, dim)
   * @param testEmbeddings (test rows, dim)
   * @param dim the embedding size
   * @param verifier the calibrations the model carries; null when it carries none
   */
  public record Embedded(Dataset train, Dataset test, float[] trainEmbeddings,
      float[] testEmbeddings, int dim, Verifier verifier) {

    /**
     * @throws IllegalArgumentException when an argument other than verifier is null, or an
     *     embedding array does not hold rows x dim values
     */
    public Embedded {
      requireNonNull("train", train);
      requireNonNull("test", test);
      requireNonNull("trainEmbeddings", trainEmbeddings);
      requireNonNull("testEmbeddings", testEmbeddings);
      if (dim < 1 || trainEmbeddings.length != (long) train.rows() * dim
          || testEmbeddings.length != (long) test.rows() * dim) {
        throw new IllegalArgumentException("embeddings of " + trainEmbeddings.length + " and "
            + testEmbeddings.length + " values, expected (" + train.rows() + ", " + dim
            + ") and (" + test.rows() + ", " + dim + ")");
      }
    }
  }

  /**
   * Embeds both splits with the model.
   *
   * @param train the training split (raw values, as read)
   * @param test the test split; its class names are matched to the training split's
   */
  public static Embedded embed(Backend backend, EmbeddingModel model, Dataset train,
      Dataset test) {
    requireNonNull("model", model);
    requireNonNull("train", train);
    requireNonNull("test", test);
    Dataset testSet = test.withClassNames(train.classNames());
    Embedder embedder = new Embedder(model, backend);
    float[] trainEmb = embedder.embed(train);
    float[] testEmb = embedder.embed(testSet);
    Optional<Verifier> stored = Verifier.fromMetadata("model", model.metadata());
    return new Embedded(train, testSet, trainEmb, testEmb, model.spec().outputDim(),
        stored.orElse(null));
  }

  /** Evaluates embedded splits, as {@link #embed} gives them. */
  public static EvalReport run(Backend backend, Embedded e, EvalOptions options) {
    requireNonNull("e", e);
    return run(backend, e.trainEmbeddings(), e.train().labels(), e.testEmbeddings(),
        e.test().labels(), e.dim(), e.verifier(), options);
  }

  /**
   * Evaluates embeddings.
   *
   * @param trainEmb (N, D)
   * @param trainLabels (N)
   * @param testEmb (Q, D)
   * @param testLabels (Q), in the training labels' class ids
   * @param verifier the calibrations; null to fit them on the training embeddings
   */
  public static EvalReport run(Backend backend, float[] trainEmb, int[] trainLabels,
      float[] testEmb, int[] testLabels, int dim, Verifier verifier, EvalOptions options) {
    requireNonNull("backend", backend);
    requireNonNull("options", options);
    requireNonNull("trainLabels", trainLabels);
    requireNonNull("testLabels", testLabels);
    if (trainLabels.length == 0) {
      throw new IllegalArgumentException("the training split is empty");
    }
    if (testLabels.length == 0) {
      throw new IllegalArgumentException("the test split is empty");
    }
    boolean fitted = verifier == null;
    Verifier v = fitted
        ? Verifier.fit(backend, trainEmb, trainLabels, dim, options.calibration()) : verifier;
    if (fitted) {
      log.info("the model carries no calibration: fitted one on the training split");
    }

    Retrieval.Scores retrieval;
    try (KnnIndex index = KnnIndex.builder(trainEmb, dim).labels(trainLabels, null)
        .build(backend)) {
      retrieval = Retrieval.evaluate(index, testEmb, testLabels,
          Math.min(options.recallK(), index.size()));
    }

    // A figure the data cannot give (a test split with one class, or too few rows per class
    // for the episodes) is reported unavailable with the reason; the others still come.
    Map<String, String> unavailable = new LinkedHashMap<>();
    long seed = options.seed();
    LabelledDistances pairs = Pairs.all(backend, testEmb, testLabels, dim, options.pairRows(),
        SplitMix64.derive(seed, PAIR_STREAM).nextLong());
    Roc pairRoc = null;
    if (pairs.positives() > 0 && pairs.negatives() > 0) {
      pairRoc = Roc.of(pairs, CURVE_POINTS);
    } else {
      String why = "the test pairs are all " + (pairs.positives() > 0 ? "same-class" : "of "
          + "different classes") + ": a ROC needs both kinds";
      unavailable.put("pair_auc", why);
      unavailable.put("pair_eer", why);
    }
    double[] p = new double[pairs.size()];
    boolean[] same = new boolean[pairs.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = v.pairProbability(pairs.distance(i));
      same[i] = pairs.same(i);
    }
    Reliability reliability = Reliability.of(p, same, Reliability.DEFAULT_BINS);

    double nWay = Double.NaN;
    try {
      nWay = FewShot.nWayAccuracy(testEmb, testLabels, dim, options.ways(), options.shots(),
          options.queriesPerClass(), options.episodes(),
          SplitMix64.derive(seed, NWAY_STREAM).nextLong());
    } catch (IllegalArgumentException tooSmall) {
      unavailable.put(EvalReport.fewShotKey(options), tooSmall.getMessage());
    }
    Roc fewRoc = null;
    double verifyAccuracy = Double.NaN;
    try {
      LabelledDistances episodes = FewShot.verificationEpisodes(testEmb, testLabels, dim,
          options.shots(), options.verifyEpisodes(),
          SplitMix64.derive(seed, VERIFY_STREAM).nextLong());
      fewRoc = Roc.of(episodes, CURVE_POINTS);
      int right = 0;
      for (int i = 0; i < episodes.size(); i++) {
        boolean accept = v.fewShotProbability(episodes.distance(i)) >= 0.5;
        if (accept == episodes.same(i)) {
          right++;
        }
      }
      verifyAccuracy = (double) right / episodes.size();
    } catch (IllegalArgumentException tooSmall) {
      unavailable.put("fewshot_verify_auc", tooSmall.getMessage());
      unavailable.put("fewshot_verify_accuracy", tooSmall.getMessage());
    }
    for (Map.Entry<String, String> e : unavailable.entrySet()) {
      log.warn("{} unavailable: {}", e.getKey(), e.getValue());
    }
    int pairRows = Math.min(testLabels.length, options.pairRows());
    return new EvalReport(retrieval, pairRoc, reliability, pairs.size(), pairRows, nWay,
        fewRoc, verifyAccuracy, v, fitted, trainLabels.length, testLabels.length, options,
        unavailable);
  }
}
