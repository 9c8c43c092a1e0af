package dev.tripletcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.nn.ModelFile;
import dev.tripletcuda.testing.Synthetic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

  @TempDir
  Path dir;

  /** Runs the tool in-process; returns {exit code, stdout, stderr}. */
  static Object[] run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Object[] {code, o.toString(StandardCharsets.UTF_8),
          e.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private Path csv(Dataset d) throws IOException {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < d.rows(); i++) {
      for (int j = 0; j < d.dim(); j++) {
        s.append(String.format(Locale.ROOT, "%.5f,", d.features()[i * d.dim() + j]));
      }
      s.append(d.classNames().get(d.labels()[i])).append('\n');
    }
    Path p = dir.resolve("data.csv");
    Files.writeString(p, s);
    return p;
  }

  @Test
  void trainOnCsvPrintsJsonAndSavesTheModel() throws IOException {
    Path data = csv(Synthetic.clusters(1, 6, 50, 10, 0.5));
    Path model = dir.resolve("m.safetensors");
    Object[] r = run("train", "--train", data.toString(), "--layers", "32,8",
        "--classes-per-batch", "4", "--per-class", "5", "--epochs", "4", "--json",
        "--device", "cpu", "--out", model.toString());
    assertEquals(0, r[0], (String) r[2]);
    JsonNode j = new ObjectMapper().readTree((String) r[1]);
    assertTrue(j.get("precision_at_1").asDouble() > 0.9, r[1].toString());
    assertTrue(j.get("train_samples_per_s").asDouble() > 0);
    assertEquals(4, j.get("epochs").asInt());
    assertEquals("cpu", j.get("device").asText());
    assertEquals("batch-all", j.get("mining").asText());
    assertTrue(j.has("final_loss"));
    assertEquals("10-32-8", ModelFile.load(model).spec().describe());
  }

  @Test
  void badOptionsExitWithCodeTwoAndOneLine() {
    String[][] cases = {
        {"--margin", "-1"}, {"--epochs", "0"}, {"--layers", "256,0"},
        {"--mining", "hardest"}, {"--reduction", "avg"}, {"--lr", "0"},
        {"--classes-per-batch", "1"}, {"--threads", "0"}, {"--device", "tpu"},
        {"--epochs", "ten"}, {"--out", "/nonexistent-folder/m.safetensors"},
        {"--test", "x.csv"}, {"--train", "/nonexistent.csv"}};
    for (String[] c : cases) {
      String[] args = new String[c.length + 1];
      args[0] = "train";
      System.arraycopy(c, 0, args, 1, c.length);
      Object[] r = run(args);
      String err = (String) r[2];
      assertEquals(2, r[0], String.join(" ", c) + " -> " + err);
      assertFalse(err.contains("\tat "), "no stack trace for " + String.join(" ", c) + ": "
          + err);
    }
  }

  @Test
  void checkpointsAndResumeFromTheCommandLine() throws IOException {
    Path data = csv(Synthetic.clusters(3, 4, 30, 6, 0.5));
    Path ckpt = dir.resolve("run.ckpt");
    String[] common = {"train", "--train", data.toString(), "--layers", "8,4",
        "--classes-per-batch", "4", "--per-class", "5", "--device", "cpu", "--json"};
    Object[] first = run(concat(common, "--epochs", "2", "--checkpoint-every", "3",
        "--checkpoint", ckpt.toString()));
    assertEquals(0, first[0], first[1] + " / " + first[2]);
    assertTrue(Files.exists(ckpt));

    Object[] more = run(concat(common, "--epochs", "3", "--resume", ckpt.toString()));
    assertEquals(0, more[0], (String) more[2]);
    assertTrue(((String) more[1]).contains("\"resumed_from\""), (String) more[1]);

    Object[] changed = run(concat(common, "--resume", ckpt.toString(), "--margin", "0.5"));
    assertEquals(2, changed[0]);
    assertTrue(((String) changed[2]).contains("--margin gives margin 0.5 but the checkpoint "
        + "was trained with 0.2"), (String) changed[2]);

    Object[] notCkpt = run(concat(common, "--resume", data.toString()));
    assertEquals(2, notCkpt[0], (String) notCkpt[2]);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void explicitBatchShapeTheDataCannotServeSuggestsSettings() throws IOException {
    Path data = csv(Synthetic.clusters(2, 3, 20, 4, 1));
    Object[] r = run("train", "--train", data.toString(), "--device", "cpu",
        "--classes-per-batch", "10");
    assertEquals(2, r[0]);
    assertTrue(((String) r[2]).contains("--classes-per-batch 3"), (String) r[2]);
  }

  @Test
  void defaultBatchShapeFitsDataWithFewClassesAndSmallClasses() throws IOException {
    // 3 classes of 20 rows: the 80% training split has 16 per class and 3 classes.
    Path data = csv(Synthetic.clusters(2, 3, 14, 4, 0.3));
    Object[] r = run("train", "--train", data.toString(), "--device", "cpu", "--json",
        "--epochs", "2");
    assertEquals(0, r[0], (String) r[2]);
    JsonNode j = new ObjectMapper().readTree((String) r[1]);
    // 3 classes x 11 (the smallest class after the split).
    assertEquals(33, j.get("batch_size").asInt(), (String) r[1]);
  }

  @Test
  void calibrationHoldoutKeepsRowsOutOfTrainingAndNamesThemInTheModel() throws IOException {
    // 4 classes of 60 rows: 48 per class in the training split, 10 % of them held out.
    Path data = csv(Synthetic.clusters(3, 4, 60, 6, 0.4));
    Path model = dir.resolve("held.safetensors");
    Object[] r = run("train", "--train", data.toString(), "--device", "cpu", "--json",
        "--epochs", "2", "--layers", "16,4", "--calibration-holdout", "0.1",
        "--out", model.toString());
    assertEquals(0, r[0], (String) r[2]);
    JsonNode j = new ObjectMapper().readTree((String) r[1]);
    assertEquals(20, j.get("calibration_rows").asInt(), (String) r[1]);
    assertEquals(172, j.get("train_rows").asInt(), (String) r[1]);
    assertEquals("held out: 20 training rows",
        ModelFile.load(model).metadata().get(TrainCommand.CALIBRATION_ROWS_KEY));
  }

  @Test
  void calibrationHoldoutFallsBackToTrainingRowsForSmallClasses() throws IOException {
    // 16 training rows per class: too few to spare any, so nothing is held out.
    Path data = csv(Synthetic.clusters(4, 3, 20, 4, 0.3));
    Path model = dir.resolve("small.safetensors");
    Object[] r = run("train", "--train", data.toString(), "--device", "cpu", "--json",
        "--epochs", "1", "--calibration-holdout", "0.2", "--out", model.toString());
    assertEquals(0, r[0], (String) r[2]);
    JsonNode j = new ObjectMapper().readTree((String) r[1]);
    assertEquals(0, j.get("calibration_rows").asInt(), (String) r[1]);
    assertEquals(48, j.get("train_rows").asInt(), (String) r[1]);
    assertEquals("training rows",
        ModelFile.load(model).metadata().get(TrainCommand.CALIBRATION_ROWS_KEY));
  }

  @Test
  void resumeWithAnotherCalibrationHoldoutIsRefusedAsOtherData() throws IOException {
    Path data = csv(Synthetic.clusters(5, 4, 60, 6, 0.4));
    Path checkpoint = dir.resolve("run.checkpoint");
    Object[] first = run("train", "--train", data.toString(), "--device", "cpu", "--epochs", "1",
        "--layers", "16,4", "--calibration-holdout", "0.1", "--checkpoint-every", "2",
        "--checkpoint", checkpoint.toString());
    assertEquals(0, first[0], (String) first[2]);
    Object[] r = run("train", "--train", data.toString(), "--device", "cpu", "--epochs", "2",
        "--resume", checkpoint.toString());
    assertEquals(2, r[0], (String) r[2]);
    assertTrue(((String) r[2]).contains("other training data"), (String) r[2]);
  }
}
