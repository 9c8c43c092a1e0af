package dev.tripletcuda.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.eval.Retrieval;
import dev.tripletcuda.io.DataSources;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.ModelFile;
import dev.tripletcuda.nn.NetworkSpec;
import dev.tripletcuda.nn.OptimizerSpec;
import dev.tripletcuda.report.Report;
import dev.tripletcuda.report.TrainingPlots;
import dev.tripletcuda.train.Checkpoint;
import dev.tripletcuda.train.SplitMix64;
import dev.tripletcuda.train.TrainConfig;
import dev.tripletcuda.train.TrainResult;
import dev.tripletcuda.train.Trainer;
import dev.tripletcuda.verify.Calibration;
import dev.tripletcuda.verify.CalibrationSettings;
import dev.tripletcuda.verify.FewShot;
import dev.tripletcuda.verify.Verifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tripletcuda train}: trains, evaluates precision@1 on the test split, saves. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train an embedding network with the triplet loss.",
        "Without --train, uses the embedded 10k MNIST sample (8,000 train, 2,000 test)."})
final class TrainCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(TrainCommand.class);

  /** Fraction held out for testing when only --train is given. */
  static final double TEST_FRACTION = 0.2;

  /** Most training rows held out for calibration: pair calibration samples 2,000 rows. */
  static final int HOLDOUT_MAX_ROWS = 2000;

  /** Smallest class, in training rows, that still gives some to the calibration hold-out. */
  static final int HOLDOUT_MIN_CLASS_ROWS = 20;

  /** Model metadata: which rows the stored calibration was fitted on. */
  static final String CALIBRATION_ROWS_KEY = "calibration_data";

  /** The stream of the seed that draws the calibration hold-out. */
  private static final long HOLDOUT_STREAM = 0x686F6C646F7574L;

  @Option(names = "--train", paramLabel = "PATH",
      description = "Training data: an IDX images file (labels beside it), a folder with an "
          + "IDX pair, or a CSV file (label in the last column); plain or gzip.")
  Path train;

  @Option(names = "--test", paramLabel = "PATH",
      description = "Test data, same formats. Default with --train: a seeded 80/20 split.")
  Path test;

  @Option(names = "--layers", defaultValue = "256,128", paramLabel = "N,N,...",
      description = "Hidden and output layer sizes (default: ${DEFAULT-VALUE}).")
  String layers;

  @Option(names = "--no-normalize", description = "Do not L2-normalise the embeddings.")
  boolean noNormalize;

  @Option(names = "--mining", defaultValue = "batch-all",
      paramLabel = "batch-all|batch-hard|semi-hard",
      description = "Triplet mining (default: ${DEFAULT-VALUE}).")
  String mining;

  @Option(names = "--margin", defaultValue = "0.2", paramLabel = "ALPHA",
      description = "Margin of the hinge (default: ${DEFAULT-VALUE}).")
  float margin;

  @Option(names = "--reduction", defaultValue = "mean-active",
      paramLabel = "sum|mean|mean-active",
      description = "How triplet losses combine (default: ${DEFAULT-VALUE}).")
  String reduction;

  @Option(names = "--classes-per-batch", defaultValue = "10", paramLabel = "P",
      description = "Classes in each batch (default: ${DEFAULT-VALUE}, or all classes when "
          + "the data has fewer).")
  int classesPerBatch;

  @Option(names = "--per-class", defaultValue = "16", paramLabel = "K",
      description = "Samples of each class in a batch (default: ${DEFAULT-VALUE}, or the "
          + "smallest class's size when smaller).")
  int perClass;

  @Option(names = "--epochs", defaultValue = "10", paramLabel = "N",
      description = "Passes over the data, floor(N / (P*K)) batches each "
          + "(default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "adam|sgd",
      description = "Optimiser (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--lr", paramLabel = "RATE",
      description = "Learning rate (default: 1e-3 for adam, 0.01 for sgd).")
  Float lr;

  @Option(names = "--momentum", defaultValue = "0.9", paramLabel = "M",
      description = "SGD momentum (default: ${DEFAULT-VALUE}).")
  float momentum;

  @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "W",
      description = "L2 penalty added to the gradient (default: ${DEFAULT-VALUE}).")
  float weightDecay;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
      description = "Seed of the weights, batches and split (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--calibration", defaultValue = "logistic", paramLabel = "logistic|isotonic",
      description = "How the stored match probabilities are calibrated on the training data "
          + "(default: ${DEFAULT-VALUE}).")
  String calibration;

  @Option(names = "--calibration-holdout", defaultValue = "0", paramLabel = "F",
      description = "Fraction of each class's training rows (" + HOLDOUT_MAX_ROWS + " rows at "
          + "most) kept out of training to calibrate the match probabilities on rows the "
          + "network has not fitted; 0 calibrates on the training rows themselves, as does data "
          + "with a class of fewer than " + HOLDOUT_MIN_CLASS_ROWS + " rows. It picks the rows "
          + "trained on, so --resume needs the fraction of the run it continues "
          + "(default: ${DEFAULT-VALUE}).")
  double calibrationHoldout;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Save the model here (safetensors).")
  Path out;

  @Option(names = "--checkpoint-every", paramLabel = "N",
      description = "Write a checkpoint every N batches (atomically, replacing the last).")
  Integer checkpointEvery;

  @Option(names = "--checkpoint", paramLabel = "FILE",
      description = "Where checkpoints go (default: the --resume file, else FILE.checkpoint "
          + "beside --out, else checkpoint.safetensors).")
  Path checkpoint;

  @Option(names = "--resume", paramLabel = "FILE",
      description = "Continue the run saved in this checkpoint, on the same data. Its "
          + "settings are kept; only --epochs may be raised.")
  Path resume;

  @Option(names = "--json", description = "Print one JSON object with the results on stdout.")
  boolean json;

  @Option(names = "--report", paramLabel = "DIR",
      description = "Write plots of the run (loss, active triplets, distances per batch; "
          + "precision@1) and an index.html showing them into this folder.")
  Path report;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec command;

  /** Training settings (metadata keys) and the options that set them. */
  private static final String[][] SETTING_OPTIONS = {{"layers", "--layers"},
      {"normalize", "--no-normalize"}, {"mining", "--mining"}, {"margin", "--margin"},
      {"reduction", "--reduction"}, {"classes_per_batch", "--classes-per-batch"},
      {"per_class", "--per-class"}, {"optimizer", "--optimizer"}, {"lr", "--lr"},
      {"momentum", "--momentum"}, {"weight_decay", "--weight-decay"}, {"seed", "--seed"}};

  @Mixin
  DeviceOptions device = new DeviceOptions();

  @Override
  public Integer call() {
    // Every option is checked before any file is read.
    config();
    device.threadCount();
    Calibration.Method method = Calibration.Method.parse(calibration);
    if (!(calibrationHoldout >= 0 && calibrationHoldout < 0.5)) {
      throw new IllegalArgumentException("--calibration-holdout=" + calibrationHoldout
          + ", expected a fraction in [0, 0.5)");
    }
    checkOutput(out);
    ReportFolder.prepare(report);
    Path checkpointFile = null;
    if (checkpointEvery != null) {
      if (checkpointEvery < 1) {
        throw new IllegalArgumentException("--checkpoint-every=" + checkpointEvery
            + ", expected a number of batches >= 1");
      }
      checkpointFile = checkpoint != null ? checkpoint : resume != null ? resume
          : out != null ? out.resolveSibling(out.getFileName() + ".checkpoint")
              : Path.of("checkpoint.safetensors");
      checkOutput(checkpointFile);
    } else if (checkpoint != null) {
      throw new IllegalArgumentException("--checkpoint needs --checkpoint-every N");
    }
    Checkpoint from = resume == null ? null : Checkpoint.load(resume);

    Dataset[] data = loadData();
    Dataset trainSet = data[0];
    Dataset testSet = data[1].withClassNames(trainSet.classNames());
    long runSeed = from == null ? seed : from.config().seed();
    Dataset[] fitAndHeldOut = holdOut(trainSet, calibrationHoldout, runSeed);
    Dataset fitSet = fitAndHeldOut[0];
    Dataset calibrationSet = fitAndHeldOut[1];
    TrainConfig config = from == null ? fitted(config(), fitSet) : resumedConfig(from);
    log.info("data: {} train rows ({} to fit, {} held out for calibration), {} test rows, {} "
        + "features, {} classes", trainSet.rows(), fitSet.rows(),
        calibrationSet == null ? 0 : calibrationSet.rows(), testSet.rows(), trainSet.dim(),
        trainSet.classCount());

    try (Backend backend = device.open();
        TrainProgress progress = new TrainProgress(System.err, Terminal.interactive(),
            device.quiet)) {
      Trainer trainer = new Trainer(backend, config);
      if (checkpointFile != null) {
        trainer.checkpointEvery(checkpointEvery, checkpointFile);
      }
      if (from != null) {
        trainer.resumeFrom(from);
      }
      TrainResult result = trainer.fit(fitSet, progress);
      progress.close();
      EmbeddingModel model = result.model();
      int d = model.spec().outputDim();
      float[] trainEmb = model.embed(backend, trainSet);
      // The match probabilities are calibrated on training data only, on the held-out rows
      // where there are some, and travel with the model.
      Dataset calibrationRows = calibrationSet != null ? calibrationSet : trainSet;
      float[] calibrationEmb = calibrationSet != null ? model.embed(backend, calibrationSet)
          : trainEmb;
      Verifier verifier = Verifier.fit(backend, calibrationEmb, calibrationRows.labels(), d,
          CalibrationSettings.defaults(config.seed()).withMethod(method));
      model = model.withMetadata(verifier.toMetadata())
          .withMetadata(Map.of(CALIBRATION_ROWS_KEY, calibrationSet == null
              ? "training rows" : "held out: " + calibrationSet.rows() + " training rows"));
      if (out != null) {
        save(model, out);
      }

      float[] testEmb = model.embed(backend, testSet);
      double p1 = Retrieval.precisionAtOne(backend, trainEmb, trainSet.labels(), testEmb,
          testSet.labels(), d);
      if (report != null) {
        writeReport(config, result, backend, trainSet, testSet, p1);
      }
      report(config, result, backend, trainSet, testSet, p1, verifier, calibrationSet);
    }
    return ExitCodes.OK;
  }

  TrainConfig config() {
    OptimizerSpec.Kind kind = OptimizerSpec.Kind.parse(optimizer);
    float rate = lr != null ? lr
        : kind == OptimizerSpec.Kind.ADAM ? OptimizerSpec.DEFAULT.learningRate()
            : OptimizerSpec.SGD_DEFAULT_LR;
    float mom = kind == OptimizerSpec.Kind.SGD ? momentum : 0f;
    TripletLossSpec loss = new TripletLossSpec(Mining.parse(mining), margin,
        Reduction.parse(reduction));
    return TrainConfig.builder()
        .layers(NetworkSpec.parseLayers(layers))
        .normalize(!noNormalize)
        .loss(loss)
        .classesPerBatch(classesPerBatch)
        .perClass(perClass)
        .epochs(epochs)
        .optimizer(new OptimizerSpec(kind, rate, mom, weightDecay))
        .seed(seed)
        .build();
  }

  /**
   * The batch shape fitted to the data where the options leave it open: P the number of
   * classes when fewer than 10, K the smallest class when smaller than 16. A value given on the
   * command line is kept, and data that cannot serve it is an error.
   */
  private TrainConfig fitted(TrainConfig config, Dataset train) {
    picocli.CommandLine.ParseResult parsed = command.commandLine().getParseResult();
    int[] present = presentClasses(train);
    int classes = present[0];
    int smallest = present[1];
    TrainConfig.Builder b = config.toBuilder();
    if (!parsed.hasMatchedOption("--classes-per-batch") && classes < classesPerBatch
        && classes >= 2) {
      log.info("{} classes in the training data: {} classes per batch", classes, classes);
      b.classesPerBatch(classes);
    }
    if (!parsed.hasMatchedOption("--per-class") && smallest < perClass && smallest >= 2) {
      log.info("smallest class has {} training samples: {} samples per class", smallest,
          smallest);
      b.perClass(smallest);
    }
    return b.build();
  }

  /**
   * The checkpoint's settings, with --epochs where given. A training option given on the
   * command line must agree with the checkpoint: a resumed run cannot change how it trains.
   */
  private TrainConfig resumedConfig(Checkpoint from) {
    picocli.CommandLine.ParseResult parsed = command.commandLine().getParseResult();
    java.util.Map<String, String> asked = config().toMetadata();
    java.util.Map<String, String> saved = from.config().toMetadata();
    for (String[] setting : SETTING_OPTIONS) {
      String key = setting[0];
      String option = setting[1];
      if (parsed.hasMatchedOption(option) && !asked.get(key).equals(saved.get(key))) {
        throw new IllegalArgumentException(option + " gives " + key + " " + asked.get(key)
            + " but the checkpoint was trained with " + saved.get(key) + "; a resumed run "
            + "keeps its settings (drop " + option + "; only --epochs may change)");
      }
    }
    if (!parsed.hasMatchedOption("--epochs")) {
      return from.config();
    }
    return from.config().toBuilder().epochs(epochs).build();
  }

  /**
   * {rows to fit, rows held out for calibration}: a seeded split stratified by class of
   * {@code fraction} of the training rows, {@link #HOLDOUT_MAX_ROWS} at most; {train, null} when
   * the fraction is 0, or when a class is too small to spare rows or the held-out rows could not
   * serve a calibration (two classes, one of them with a few-shot episode's rows).
   */
  static Dataset[] holdOut(Dataset train, double fraction, long seed) {
    if (fraction == 0) {
      return new Dataset[] {train, null};
    }
    int smallest = presentClasses(train)[1];
    if (smallest < HOLDOUT_MIN_CLASS_ROWS) {
      log.info("calibrating on the training rows: the smallest class has {} rows, fewer than "
          + "the {} that spare some for a calibration hold-out", smallest,
          HOLDOUT_MIN_CLASS_ROWS);
      return new Dataset[] {train, null};
    }
    double f = Math.min(fraction, HOLDOUT_MAX_ROWS / (double) train.rows());
    Dataset[] parts = train.split(f, SplitMix64.derive(seed, HOLDOUT_STREAM).nextLong());
    int[] held = presentClasses(parts[1]);
    int classes = held[0];
    int largest = held[2];
    if (classes < 2 || largest < FewShot.DEFAULT_SHOTS + 1) {
      log.info("calibrating on the training rows: the {} held-out rows have {} classes, the "
          + "largest of {} rows (a few-shot episode needs {})", parts[1].rows(), classes,
          largest, FewShot.DEFAULT_SHOTS + 1);
      return new Dataset[] {train, null};
    }
    return parts;
  }

  /** {classes with rows, rows of the smallest of them, rows of the largest} in {@code d}. */
  private static int[] presentClasses(Dataset d) {
    int classes = 0;
    int smallest = Integer.MAX_VALUE;
    int largest = 0;
    for (int count : d.classCounts()) {
      if (count > 0) {
        classes++;
        smallest = Math.min(smallest, count);
        largest = Math.max(largest, count);
      }
    }
    return new int[] {classes, smallest, largest};
  }

  /** Fails before training, not after, when the model could not be saved. */
  static void checkOutput(Path file) {
    ModelInputs.checkOutput("--out", file);
  }

  private Dataset[] loadData() {
    return splits(train, test, seed);
  }

  /**
   * {train, test}: the embedded sample without a training path, both files when both are given,
   * else a seeded {@link #TEST_FRACTION} split of the training file.
   */
  static Dataset[] splits(Path train, Path test, long seed) {
    if (train == null) {
      if (test != null) {
        throw new IllegalArgumentException("--test needs --train (the embedded sample has its "
            + "own test split)");
      }
      return DataSources.embedded();
    }
    Dataset full = DataSources.load(train);
    if (test != null) {
      Dataset testSet = DataSources.load(test);
      // Checked before training, which would otherwise run to the end and fail at evaluation.
      if (testSet.dim() != full.dim()) {
        throw new IllegalArgumentException("--test " + test + " has " + testSet.dim()
            + " features per row, --train " + train + " has " + full.dim());
      }
      return new Dataset[] {full, testSet};
    }
    return full.split(TEST_FRACTION, seed);
  }

  static void save(EmbeddingModel model, Path file) {
    try {
      ModelFile.save(model, file);
      log.info("model saved to {}", file);
    } catch (IOException e) {
      throw new OutputException("cannot write model " + file + ": " + e.getMessage(), e);
    }
  }

  /** The plots of the run; precision@1 is measured once, after the last epoch. */
  private void writeReport(TrainConfig config, TrainResult r, Backend backend,
      Dataset trainSet, Dataset testSet, double p1) {
    double[] byEpoch = new double[r.epochs().size()];
    Arrays.fill(byEpoch, Double.NaN);
    if (byEpoch.length > 0) {
      byEpoch[byEpoch.length - 1] = p1;
    }
    Report.Builder b = TrainingPlots.report(r, config, byEpoch);
    b.row("Data", "training data", trainSet.source() + " (" + trainSet.rows() + " rows)");
    b.row("Data", "test data", testSet.source() + " (" + testSet.rows() + " rows)");
    ReportFolder.addVersions(b, backend);
    ReportFolder.write(b.build(), report);
  }

  private void report(TrainConfig config, TrainResult r, Backend backend, Dataset trainSet,
      Dataset testSet, double p1, Verifier verifier, Dataset calibrationSet) {
    int epochsRun = r.epochs().size();
    if (json) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode o = mapper.createObjectNode();
      o.put("train_samples_per_s", Math.round(r.samplesPerSecond() * 10) / 10.0);
      o.put("final_loss", r.finalLoss());
      o.put("precision_at_1", p1);
      o.put("epochs", config.epochs());
      o.put("device", backend.name());
      o.put("mining", config.loss().mining().id());
      o.put("margin", config.loss().margin());
      o.put("reduction", config.loss().reduction().id());
      o.put("layers", Arrays.toString(config.layers()));
      o.put("batch_size", config.batchSize());
      o.put("batches", r.batches().size());
      o.put("train_seconds", r.trainSeconds());
      // Rows trained on; the held-out ones join them as the base of precision@1.
      int heldOut = calibrationSet == null ? 0 : calibrationSet.rows();
      o.put("train_rows", trainSet.rows() - heldOut);
      o.put("calibration_rows", heldOut);
      o.put("test_rows", testSet.rows());
      o.put("seed", config.seed());
      o.put("backend", backend.description());
      if (resume != null) {
        o.put("resumed_from", resume.toString());
      }
      o.putPOJO("warnings", r.warnings());
      o.set("pair_calibration", verifier.pairCalibration().toJson());
      o.set("fewshot_calibration", verifier.fewShotCalibration().toJson());
      if (out != null) {
        o.put("model", out.toString());
      }
      try {
        System.out.println(mapper.writeValueAsString(o));
      } catch (IOException e) {
        throw new OutputException("cannot print JSON: " + e.getMessage(), e);
      }
      return;
    }
    System.out.printf(Locale.ROOT, "precision@1 %.4f on %,d test samples (nearest of %,d "
        + "training embeddings)%n", p1, testSet.rows(), trainSet.rows());
    System.out.printf(Locale.ROOT, "trained %d epochs (%,d batches of %d) in %.1f s: %,.0f "
        + "samples/s on %s%n", epochsRun, r.samples() / config.batchSize(),
        config.batchSize(), r.trainSeconds(), r.samplesPerSecond(), backend.description());
  }
}
