package dev.tripletcuda.cli;

import dev.tripletcuda.io.Samples;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.verify.FewShot;
import dev.tripletcuda.verify.Verifier;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tripletcuda verify}: the probability that two samples are of one class. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The calibrated probability that samples match (are of one class).",
        "Row i of --a is paired with row i of --b; a file of one sample is paired with every "
            + "row of the other.",
        "Output: CSV with the header a,b,squared_distance,probability,match (a and b are row "
            + "numbers from 0, match is true or false)."})
final class VerifyCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "FILE",
      description = "The model (safetensors).")
  Path model;

  @Option(names = "--a", required = true, paramLabel = "PATH",
      description = "First samples, any format train reads; a CSV may leave out the label.")
  Path a;

  @Option(names = "--b", required = true, paramLabel = "PATH",
      description = "Second samples, same formats.")
  Path b;

  @ArgGroup(exclusive = true)
  Decision decision = new Decision();

  /** How a probability becomes a yes or no. */
  static final class Decision {
    @Option(names = "--threshold", paramLabel = "P",
        description = "Match when the probability is at least P (default: 0.5).")
    Double threshold;

    @Option(names = "--at", paramLabel = "far=R|precision=R",
        description = "Match at the distance threshold stored in the model for a false-accept "
            + "rate R (0.1, 0.01, 0.001, 0.0001) or a precision R (0.9, 0.95, 0.99, 0.999) on "
            + "the training pairs.")
    String target;
  }

  @Option(names = "--train", paramLabel = "PATH",
      description = "Training data to fit the calibration on, for a model that carries none.")
  Path train;

  @Mixin
  DeviceOptions device = new DeviceOptions();

  @Override
  public Integer call() {
    double threshold = ModelInputs.probability("--threshold",
        decision.threshold == null ? 0.5 : decision.threshold);
    EmbeddingModel m = ModelInputs.model(model);
    Samples sa = ModelInputs.samples("--a", a, m);
    Samples sb = ModelInputs.samples("--b", b, m);
    int na = sa.rows();
    int nb = sb.rows();
    if (na != nb && na != 1 && nb != 1) {
      throw new IllegalArgumentException("--a holds " + na + " samples and --b " + nb
          + ": expected equal counts, or one sample on either side");
    }
    ModelInputs.Judged j = ModelInputs.judged(device, m, train, sa, sb);
    Verifier verifier = j.verifier();
    float[] ea = j.first();
    float[] eb = j.second();
    Double maxDistance = decision.target == null ? null : storedThreshold(verifier);

    int d = m.spec().outputDim();
    int pairs = Math.max(na, nb);
    ModelInputs.writeText(null, w -> {
      w.println("a,b,squared_distance,probability,match");
      for (int i = 0; i < pairs; i++) {
        int ia = na == 1 ? 0 : i;
        int ib = nb == 1 ? 0 : i;
        double dist = FewShot.squaredDistance(ea, ia * d, eb, ib * d, d);
        double p = verifier.pairProbability(dist);
        boolean match = maxDistance != null ? dist <= maxDistance : p >= threshold;
        w.printf(Locale.ROOT, "%d,%d,%.6f,%.6f,%b%n", ia, ib, dist, p, match);
      }
    });
    return ExitCodes.OK;
  }

  private Double storedThreshold(Verifier verifier) {
    String key = decision.target.trim();
    int eq = key.indexOf('=');
    if (eq > 0) {
      try {
        key = Verifier.targetName(key.substring(0, eq).trim(),
            Double.parseDouble(key.substring(eq + 1).trim()));
      } catch (NumberFormatException e) {
        // Reported below with the stored names.
      }
    }
    Double t = verifier.thresholds().get(key);
    if (t == null) {
      throw new IllegalArgumentException("--at " + decision.target + ": the model stores "
          + (verifier.thresholds().isEmpty() ? "no thresholds"
              : "thresholds for " + String.join(", ", verifier.thresholds().keySet())));
    }
    return t;
  }
}
