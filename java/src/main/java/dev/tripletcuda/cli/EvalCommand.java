package dev.tripletcuda.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.eval.EvalOptions;
import dev.tripletcuda.eval.EvalReport;
import dev.tripletcuda.eval.Evaluation;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.report.EvaluationPlots;
import dev.tripletcuda.report.Report;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tripletcuda eval}: every retrieval, pair and few-shot figure of a model. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Evaluate a trained model: precision@1, recall@10, MAP@R, pair ROC AUC and "
        + "EER, pair ECE and Brier score, 5-way 3-shot accuracy, few-shot verification AUC "
        + "and accuracy.",
        "Without --train, uses the embedded 10k MNIST sample (8,000 train, 2,000 test)."})
final class EvalCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "FILE",
      description = "The model (safetensors), as written by train --out.")
  Path model;

  @Option(names = "--train", paramLabel = "PATH",
      description = "Training data (the search base; calibration data if the model has none), "
          + "in any format train reads.")
  Path train;

  @Option(names = "--test", paramLabel = "PATH",
      description = "Test data. Default with --train: the seeded 80/20 split train makes.")
  Path test;

  @Option(names = "--seed", paramLabel = "N",
      description = "Seed of the split and the episodes (default: the model's training seed).")
  Long seed;

  @Option(names = "--json", description = "Print one JSON object with the figures on stdout.")
  boolean json;

  @Option(names = "--report", paramLabel = "DIR",
      description = "Write plots (pair ROC, reliability diagram, PCA map of the test "
          + "embeddings, nearest neighbours of image queries) and an index.html showing them "
          + "into this folder.")
  Path report;

  @Mixin
  DeviceOptions device = new DeviceOptions();

  @Override
  public Integer call() {
    ReportFolder.prepare(report);
    EmbeddingModel m = ModelInputs.model(model);
    long s = seed != null ? seed : ModelInputs.seed(m);
    Dataset[] data = TrainCommand.splits(train, test, s);
    EvalOptions options = EvalOptions.defaults(s);
    try (Backend backend = device.open()) {
      Evaluation.Embedded embedded = Evaluation.embed(backend, m, data[0], data[1]);
      EvalReport figures = Evaluation.run(backend, embedded, options);
      if (report != null) {
        Report.Builder b = EvaluationPlots.report(backend, figures, embedded);
        b.row("Data", "model", model.toString());
        b.row("Data", "training data", data[0].source() + " (" + data[0].rows() + " rows)");
        b.row("Data", "test data", data[1].source() + " (" + data[1].rows() + " rows)");
        ReportFolder.addVersions(b, backend);
        ReportFolder.write(b.build(), report);
      }
      print(figures, backend);
    }
    return ExitCodes.OK;
  }

  private void print(EvalReport r, Backend backend) {
    if (json) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      var o = r.toJson();
      o.put("model", model.toString());
      o.put("device", backend.name());
      o.put("backend", backend.description());
      try {
        System.out.println(mapper.writeValueAsString(o));
      } catch (IOException e) {
        throw new OutputException("cannot print JSON: " + e.getMessage(), e);
      }
      return;
    }
    EvalOptions o = r.options();
    Map<String, String> why = r.unavailable();
    String fewKey = EvalReport.fewShotKey(o);
    String[][] rows = {
        {"precision@1", f(r.precisionAt1(), null), "nearest of " + r.trainRows()
            + " training rows"},
        {"recall@" + r.retrieval().k(), f(r.recallAtK(), null), ""},
        {"MAP@R", f(r.mapAtR(), "no test class occurs in the training rows"), ""},
        {"pair ROC AUC", f(r.pairAuc(), why.get("pair_auc")),
            String.format(Locale.ROOT, "%,d test-test pairs", r.pairs())},
        {"pair EER", f(r.pairEer(), why.get("pair_eer")), ""},
        {"pair ECE", f(r.pairEce(), null), "15 bins, "
            + r.verifier().pairCalibration().method().id()
            + (r.calibrationFitted() ? " fitted here on the training split" : " from the model")},
        {"pair Brier", f(r.pairBrier(), null), ""},
        {o.ways() + "-way " + o.shots() + "-shot accuracy", f(r.fewShotAccuracy(),
            why.get(fewKey)), String.format(Locale.ROOT, "%,d episodes, %d queries per class",
                o.episodes(), o.queriesPerClass())},
        {"few-shot verify AUC", f(r.fewShotVerifyAuc(), why.get("fewshot_verify_auc")),
            String.format(Locale.ROOT, "%,d episodes, half matching", o.verifyEpisodes())},
        {"few-shot verify accuracy", f(r.fewShotVerifyAccuracy(),
            why.get("fewshot_verify_accuracy")), "at probability 0.5"},
    };
    for (String[] row : rows) {
      System.out.printf(Locale.ROOT, "%-26s %s%s%n", row[0], row[1],
          row[2].isEmpty() || row[1].startsWith("n/a") ? "" : "   (" + row[2] + ")");
    }
  }

  /** The figure to 4 places, or n/a with the reason. */
  private static String f(double v, String why) {
    if (Double.isNaN(v)) {
      return "n/a" + (why == null ? "" : " (" + why + ")");
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
