package dev.tripletcuda.cli;

import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.io.Samples;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.verify.FewShot;
import dev.tripletcuda.verify.Verifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tripletcuda fewshot}: queries against a few support samples per class. */
@Command(name = "fewshot", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The calibrated probability that each query is of the kind of a few support "
        + "samples, from its distance to the mean of their embeddings (the prototype).",
        "Unlabelled supports, or supports of one label, form one prototype. Supports of "
            + "several labels form one prototype per label, and each query is ranked against "
            + "all of them (rank 1: the nearest-prototype class).",
        "Output: CSV with the header query,class,rank,squared_distance,probability,match, one "
            + "line per query and prototype."})
final class FewShotCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(FewShotCommand.class);

  @Option(names = "--model", required = true, paramLabel = "FILE",
      description = "The model (safetensors).")
  Path model;

  @Option(names = "--support", required = true, paramLabel = "PATH",
      description = "Support samples (K per class, K = 3 calibrated), any format train reads; "
          + "a CSV may leave out the label column.")
  Path support;

  @Option(names = "--query", required = true, paramLabel = "PATH",
      description = "Query samples, same formats.")
  Path query;

  @Option(names = "--threshold", defaultValue = "0.5", paramLabel = "P",
      description = "Match when the probability is at least P (default: ${DEFAULT-VALUE}).")
  double threshold;

  @Option(names = "--train", paramLabel = "PATH",
      description = "Training data to fit the calibration on, for a model that carries none.")
  Path train;

  @Mixin
  DeviceOptions device = new DeviceOptions();

  @Override
  public Integer call() {
    ModelInputs.probability("--threshold", threshold);
    EmbeddingModel m = ModelInputs.model(model);
    Samples supports = ModelInputs.samples("--support", support, m);
    Samples queries = ModelInputs.samples("--query", query, m);
    ModelInputs.Judged j = ModelInputs.judged(device, m, train, supports, queries);
    Verifier verifier = j.verifier();
    float[] es = j.first();
    float[] eq = j.second();

    // One prototype per label present (one in all for unlabelled supports).
    int d = m.spec().outputDim();
    Dataset sd = supports.data();
    List<String> names = new ArrayList<>();
    List<float[]> protos = new ArrayList<>();
    int[] counts = sd.classCounts();
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] == 0) {
        continue;
      }
      float[] rows = new float[counts[c] * d];
      int next = 0;
      for (int i = 0; i < sd.rows(); i++) {
        if (sd.labels()[i] == c) {
          System.arraycopy(es, i * d, rows, next++ * d, d);
        }
      }
      names.add(supports.labelled() ? sd.classNames().get(c) : "");
      protos.add(FewShot.prototype(rows, d));
      if (counts[c] != verifier.shots()) {
        log.warn("the few-shot calibration was fitted for {} supports; {} has {}: its "
            + "probabilities are approximate", verifier.shots(),
            supports.labelled() ? "class " + sd.classNames().get(c) : "--support",
            counts[c]);
      }
    }

    int nq = queries.rows();
    ModelInputs.writeText(null, w -> {
      w.println("query,class,rank,squared_distance,probability,match");
      double[] dist = new double[protos.size()];
      Integer[] order = new Integer[protos.size()];
      for (int q = 0; q < nq; q++) {
        for (int c = 0; c < dist.length; c++) {
          dist[c] = FewShot.squaredDistance(eq, q * d, protos.get(c), 0, d);
          order[c] = c;
        }
        Arrays.sort(order, (x, y) -> dist[x] != dist[y] ? Double.compare(dist[x], dist[y])
            : Integer.compare(x, y));
        for (int r = 0; r < order.length; r++) {
          int c = order[r];
          double p = verifier.fewShotProbability(dist[c]);
          w.printf(Locale.ROOT, "%d,%s,%d,%.6f,%.6f,%b%n", q, Csv.cell(names.get(c)), r + 1,
              dist[c], p, p >= threshold);
        }
      }
    });
    return ExitCodes.OK;
  }
}
