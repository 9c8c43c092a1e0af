package dev.tripletcuda.cli;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.io.AtomicFiles;
import dev.tripletcuda.io.DataSources;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.io.Samples;
import dev.tripletcuda.nn.Embedder;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.ModelFile;
import dev.tripletcuda.verify.CalibrationSettings;
import dev.tripletcuda.verify.Verifier;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the commands that use a trained model share: loading it, its inputs and outputs. */
final class ModelInputs {

  private static final Logger log = LoggerFactory.getLogger(ModelInputs.class);

  /** The seed of models that do not record theirs. */
  static final long DEFAULT_SEED = 42;

  private ModelInputs() {}

  /** Reads a model file; a bad one is an InvalidDataException (exit code 2). */
  static EmbeddingModel model(Path file) {
    EmbeddingModel model = ModelFile.load(file);
    log.info("model {}: {}, embeddings of {} values", file, model.spec(),
        model.spec().outputDim());
    return model;
  }

  /** The model's training seed, or 42. */
  static long seed(EmbeddingModel model) {
    try {
      return Long.parseLong(model.metadata().getOrDefault("seed", "" + DEFAULT_SEED));
    } catch (NumberFormatException e) {
      return DEFAULT_SEED;
    }
  }

  /** Samples for the model from a file named by {@code option}, labelled or not, not empty. */
  static Samples samples(String option, Path path, EmbeddingModel model) {
    Samples s = DataSources.loadSamples(path, model.spec().inputDim());
    if (s.rows() == 0) {
      throw new IllegalArgumentException(option + " " + path + " holds no samples");
    }
    log.info("{} {}: {} samples{}", option, path, s.rows(), s.labelled() ? ", labelled" : "");
    return s;
  }

  /**
   * The model's calibrations, or ones fitted on the training data at {@code train} when the
   * model carries none.
   */
  static Verifier verifier(EmbeddingModel model, Path train, Embedder embedder) {
    Optional<Verifier> stored = Verifier.fromMetadata("model", model.metadata());
    if (stored.isPresent()) {
      return stored.get();
    }
    if (train == null) {
      throw new IllegalArgumentException("the model carries no calibration (it was not "
          + "trained by this tool): give its training data with --train to fit one");
    }
    Dataset data = DataSources.load(train);
    log.info("fitting the calibration on {} ({} rows)", train, data.rows());
    return Verifier.fit(embedder.backend(), embedder.embed(data), data.labels(),
        embedder.dim(), CalibrationSettings.defaults(seed(model)));
  }

  /** Two sets of samples' embeddings (rows, D) and the calibrations to judge them with. */
  record Judged(Verifier verifier, float[] first, float[] second) {}

  /**
   * Embeds two sets of samples on the chosen device and finds the model's calibrations (fitted
   * on {@code train} when it carries none).
   */
  static Judged judged(DeviceOptions device, EmbeddingModel model, Path train, Samples first,
      Samples second) {
    try (Backend backend = device.open()) {
      Embedder embedder = new Embedder(model, backend);
      Verifier verifier = verifier(model, train, embedder);
      return new Judged(verifier, embedder.embed(first.data()), embedder.embed(second.data()));
    }
  }

  /** Throws unless the value of {@code option} is a probability. */
  static double probability(String option, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(option + " " + value + ", expected a probability in "
          + "[0, 1]");
    }
    return value;
  }

  /** Fails before any work when {@code file} could not be written. */
  static void checkOutput(String option, Path file) {
    if (file == null) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(option + " " + file + " is a folder, expected a file "
          + "name");
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + " " + file + ": folder " + dir
          + " does not exist");
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException(option + " " + file + ": folder " + dir
          + " is not writable");
    }
  }

  /**
   * Writes text to {@code file} atomically, or to standard output when file is null; an I/O
   * failure is an OutputException (exit code 5).
   */
  static void writeText(Path file, Consumer<PrintWriter> body) {
    if (file == null) {
      PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out,
          StandardCharsets.UTF_8));
      body.accept(out);
      out.flush();
      return;
    }
    write(file, stream -> {
      Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
      PrintWriter out = new PrintWriter(w);
      body.accept(out);
      out.flush();
      if (out.checkError()) {
        throw new IOException("write failed");
      }
    });
  }

  /** Writes a file atomically; an I/O failure is an OutputException (exit code 5). */
  static void write(Path file, AtomicFiles.Writer writer) {
    try {
      AtomicFiles.write(file, writer);
    } catch (IOException e) {
      throw new OutputException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
