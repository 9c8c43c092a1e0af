package dev.tripletcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tripletcuda.testing.ReportFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train --report and eval --report: the files, and the numbers behind the plots. */
class ReportOptionTest {

  @TempDir
  static Path dir;
  static Path train;
  static Path test;

  @BeforeAll
  static void data() throws IOException {
    train = Files.writeString(dir.resolve("train.csv"), UseCommandsTest.csv(20, 1, true));
    test = Files.writeString(dir.resolve("test.csv"), UseCommandsTest.csv(10, 2, true));
  }

  private static UseCommandsTest.Result train(String... more) {
    String[] base = {"train", "--train", train.toString(), "--test", test.toString(),
        "--layers", "16,4", "--epochs", "3", "--classes-per-batch", "6", "--per-class", "4",
        "--device", "cpu", "--threads", "1", "-q"};
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return UseCommandsTest.run(args);
  }

  @Test
  void trainAndEvalReportsPlotTheNumbersOfTheirJson() throws IOException {
    Path trainReport = dir.resolve("reports/train");
    Path model = dir.resolve("m.safetensors");
    UseCommandsTest.Result r = train("--json", "--out", model.toString(), "--report",
        trainReport.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    String html = ReportFiles.check(trainReport, "loss.png", "active.png", "distances.png",
        "precision.png");
    JsonNode s = ReportFiles.series(trainReport);
    JsonNode loss = s.get("loss");
    assertEquals(j.get("batches").asInt(), loss.size());
    assertEquals(j.get("final_loss").asDouble(), loss.get(loss.size() - 1).asDouble());
    JsonNode p1 = s.get("precision_at_1");
    assertEquals(3, p1.size());
    assertEquals(j.get("precision_at_1").asDouble(), p1.get(2).asDouble());
    assertTrue(html.contains("final loss") && html.contains("Versions"), html);
    assertTrue(html.contains(j.get("backend").asText()), html);

    Path evalReport = dir.resolve("reports/eval");
    UseCommandsTest.Result e = UseCommandsTest.run("eval", "--model", model.toString(),
        "--train", train.toString(), "--test", test.toString(), "--json", "-q", "--device",
        "cpu", "--report", evalReport.toString());
    assertEquals(0, e.code(), e.err());
    JsonNode ej = new ObjectMapper().readTree(e.out());
    ReportFiles.check(evalReport, "roc.png", "reliability.png", "pca.png");
    JsonNode es = ReportFiles.series(evalReport);
    assertEquals(ej.get("pair_eer").asDouble(), es.get("eer").get(0).asDouble());

    // The reliability bins give back the ECE of the JSON.
    JsonNode counts = es.get("reliability_count");
    double n = 0;
    for (JsonNode c : counts) {
      n += c.asDouble();
    }
    assertEquals(ej.get("pairs").asDouble(), n);
    double ece = 0;
    for (int b = 0; b < counts.size(); b++) {
      if (counts.get(b).asDouble() > 0) {
        ece += counts.get(b).asDouble() / n * Math.abs(
            es.get("reliability_mean_probability").get(b).asDouble()
                - es.get("reliability_positive_fraction").get(b).asDouble());
      }
    }
    assertEquals(ej.get("pair_ece").asDouble(), ece, 1e-12);

    // The plotted ROC encloses the AUC of the JSON, up to the thinning of the curve.
    JsonNode far = es.get("roc_far");
    JsonNode tar = es.get("roc_tar");
    double area = 0;
    for (int i = 1; i < far.size(); i++) {
      area += (far.get(i).asDouble() - far.get(i - 1).asDouble())
          * (tar.get(i).asDouble() + tar.get(i - 1).asDouble()) / 2;
    }
    assertEquals(ej.get("pair_auc").asDouble(), area, 2e-3);
    assertEquals(ej.get("test_rows").asInt(), es.get("pca_x").size());
  }

  @Test
  void reportOnAFileIsRefusedBeforeTraining() throws IOException {
    Path file = Files.writeString(dir.resolve("occupied.txt"), "keep");
    Path model = dir.resolve("never.safetensors");
    UseCommandsTest.Result r = train("--report", file.toString(), "--out", model.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("--report " + file + " is a file"), r.err());
    assertEquals("keep", Files.readString(file));
    assertFalse(Files.exists(model), "trained despite the bad --report");
  }

  @Test
  void reportWhereNoFolderCanBeMadeIsAnOutputFailure() throws IOException {
    Path file = Files.writeString(dir.resolve("plain.txt"), "keep");
    Path under = file.resolve("report");
    UseCommandsTest.Result r = train("--report", under.toString());
    assertEquals(ExitCodes.OUTPUT_FAILED, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("cannot create report folder " + under), r.err());

    UseCommandsTest.Result e = UseCommandsTest.run("eval", "--model", "missing.safetensors",
        "--report", file.toString());
    assertEquals(ExitCodes.BAD_INPUT, e.code(), e.err());
    assertTrue(e.err().contains("is a file"), e.err());
  }
}
