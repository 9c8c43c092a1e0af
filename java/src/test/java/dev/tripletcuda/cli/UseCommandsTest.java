package dev.tripletcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tripletcuda.io.NpyFiles;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.ModelFile;
import dev.tripletcuda.verify.Verifier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that use a trained model, run in this JVM as a user would run them. */
class UseCommandsTest {

  static final int DIM = 8;
  static final int CLASSES = 6;

  @TempDir
  static Path dir;
  static Path train;
  static Path test;
  static Path queries;
  static Path model;

  record Result(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  static Result run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Result(code, out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** rows per class of labelled CSV: class c near the c-th axis, labels "k0".."k5". */
  static String csv(int perClass, long seed, boolean labelled) {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < perClass * CLASSES; i++) {
      int c = i % CLASSES;
      for (int j = 0; j < DIM; j++) {
        s.append(j == 0 ? "" : ",").append((j == c ? 3 : 0) + 0.3 * rng.nextGaussian());
      }
      s.append(labelled ? ",k" + c : "").append('\n');
    }
    return s.toString();
  }

  @BeforeAll
  static void trainAModel() throws Exception {
    train = Files.writeString(dir.resolve("train.csv"), csv(20, 1, true));
    test = Files.writeString(dir.resolve("test.csv"), csv(10, 2, true));
    queries = Files.writeString(dir.resolve("queries.csv"), csv(1, 3, false));
    model = dir.resolve("model.safetensors");
    Result r = run("train", "--train", train.toString(), "--test", test.toString(),
        "--layers", "16,4", "--epochs", "15", "--classes-per-batch", "6", "--per-class", "4",
        "--device", "cpu", "--threads", "2", "-q", "--out", model.toString());
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void trainStoresTheCalibrationWithTheModel() {
    EmbeddingModel m = ModelFile.load(model);
    assertTrue(m.metadata().containsKey(Verifier.PAIR_KEY));
    assertTrue(m.metadata().containsKey(Verifier.FEWSHOT_KEY));
    assertEquals(3, Verifier.fromModel(m).shots());
  }

  @Test
  void evalReportsEveryFigureUnderItsName() throws Exception {
    Result r = run("eval", "--model", model.toString(), "--train", train.toString(), "--test",
        test.toString(), "--json", "-q", "--device", "cpu");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    for (String key : new String[] {"precision_at_1", "recall_at_10", "map_at_r", "pair_auc",
        "pair_eer", "pair_ece", "pair_brier", "fewshot_5way_3shot", "fewshot_verify_auc",
        "fewshot_verify_accuracy"}) {
      assertTrue(j.get(key).isNumber(), key + " in " + r.out());
    }
    assertEquals(60 * 59 / 2, j.get("pairs").asInt());
    assertFalse(j.get("calibration_fitted_here").asBoolean());

    Result text = run("eval", "--model", model.toString(), "--train", train.toString(),
        "-q", "--device", "cpu");
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("5-way 3-shot accuracy"), text.out());
  }

  @Test
  void evalRejectsBadInputWithExitCodeTwo() {
    Result noTrain = run("eval", "--model", model.toString(), "--test", test.toString(), "-q");
    assertEquals(2, noTrain.code());
    assertTrue(noTrain.err().contains("--test needs --train"), noTrain.err());
    Result noModel = run("eval", "--model", dir.resolve("absent").toString(), "-q");
    assertEquals(2, noModel.code());
    assertTrue(noModel.err().contains("no such file"), noModel.err());
    assertFalse(noModel.err().contains("\tat "), "no stack trace: " + noModel.err());
  }

  @Test
  void embedWritesOneRowPerSample() throws Exception {
    Path out = dir.resolve("emb.npy");
    Result r = run("embed", "--model", model.toString(), "--data", queries.toString(), "--out",
        out.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    NpyFiles.Matrix m = NpyFiles.read(out);
    assertEquals(CLASSES, m.rows());
    assertEquals(4, m.cols());

    Path nowhere = dir.resolve("no-such-folder").resolve("emb.npy");
    Result bad = run("embed", "--model", model.toString(), "--data", queries.toString(),
        "--out", nowhere.toString(), "-q");
    assertEquals(2, bad.code());
    assertFalse(Files.exists(nowhere));

    Path wide = Files.writeString(dir.resolve("wide.csv"), "1,2,3\n");
    Result columns = run("embed", "--model", model.toString(), "--data", wide.toString(),
        "--out", dir.resolve("x.npy").toString(), "-q");
    assertEquals(2, columns.code());
    assertTrue(columns.err().contains("has 3 columns; the model takes 8 features"),
        columns.err());
    assertFalse(Files.exists(dir.resolve("x.npy")));
  }

  @Test
  void searchListsTheNearestNeighboursAsCsv() throws Exception {
    Result r = run("search", "--model", model.toString(), "--index", train.toString(),
        "--query", test.toString(), "--k", "3", "-q");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.lines();
    assertEquals("query,query_label,rank,id,label,distance", lines.get(0));
    assertEquals(1 + 60 * 3, lines.size());
    int right = 0;
    for (int q = 0; q < 60; q++) {
      String[] first = lines.get(1 + 3 * q).split(",");
      assertEquals(Integer.toString(q), first[0]);
      assertEquals("1", first[2]);
      if (first[1].equals(first[4])) {
        right++;
      }
      double prev = -1;
      for (int rank = 0; rank < 3; rank++) {
        double d = Double.parseDouble(lines.get(1 + 3 * q + rank).split(",")[5]);
        assertTrue(d >= prev);
        prev = d;
      }
    }
    assertTrue(right >= 55, right + " of 60 nearest neighbours share the label");

    // k = N works; k > N is a clear error.
    assertEquals(0, run("search", "--model", model.toString(), "--index", test.toString(),
        "--query", queries.toString(), "--k", "60", "-q").code());
    Result big = run("search", "--model", model.toString(), "--index", test.toString(),
        "--query", queries.toString(), "--k", "61", "-q");
    assertEquals(2, big.code());
    assertTrue(big.err().contains("--k 61, expected 1..60"), big.err());
    assertEquals(2, run("search", "--model", model.toString(), "--index", test.toString(),
        "--query", queries.toString(), "--k", "0", "-q").code());
  }

  @Test
  void emptyQueriesAreAClearError() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.csv"), "\n");
    Result r = run("search", "--model", model.toString(), "--index", test.toString(),
        "--query", empty.toString(), "-q");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("the file is empty"), r.err());
    Path header = Files.writeString(dir.resolve("header.csv"), "a,b,c,d,e,f,g,h\n");
    Result h = run("verify", "--model", model.toString(), "--a", header.toString(), "--b",
        queries.toString(), "-q");
    assertEquals(2, h.code());
    assertTrue(h.err().contains("header but no data rows"), h.err());
  }

  @Test
  void aSavedIndexAnswersLikeTheSamples() throws Exception {
    Path index = dir.resolve("index.safetensors");
    Path first = dir.resolve("first.csv");
    Result built = run("search", "--model", model.toString(), "--index", train.toString(),
        "--query", queries.toString(), "--k", "5", "--metric", "cosine", "--save-index",
        index.toString(), "--out", first.toString(), "-q");
    assertEquals(0, built.code(), built.err());
    assertEquals("", built.out());
    Result again = run("search", "--model", model.toString(), "--index", index.toString(),
        "--query", queries.toString(), "--k", "5", "-q");
    assertEquals(0, again.code(), again.err());
    assertEquals(Files.readString(first), again.out());

    Result metric = run("search", "--model", model.toString(), "--index", index.toString(),
        "--query", queries.toString(), "--metric", "squared-l2", "-q");
    assertEquals(2, metric.code());
    assertTrue(metric.err().contains("was built for cosine"), metric.err());

    // Another model: the index's vectors are not its embeddings.
    Path other = dir.resolve("other.safetensors");
    assertEquals(0, run("train", "--train", train.toString(), "--test", test.toString(),
        "--layers", "16,4", "--epochs", "1", "--classes-per-batch", "6", "--per-class", "4",
        "--seed", "9", "--device", "cpu", "-q", "--out", other.toString()).code());
    Result mismatch = run("search", "--model", other.toString(), "--index", index.toString(),
        "--query", queries.toString(), "-q");
    assertEquals(2, mismatch.code());
    assertTrue(mismatch.err().contains("was built with another model"), mismatch.err());
  }

  @Test
  void verifyGivesAProbabilityPerPair() throws Exception {
    Path one = Files.writeString(dir.resolve("one.csv"), csv(1, 3, false).lines().findFirst()
        .orElseThrow() + "\n");
    Result r = run("verify", "--model", model.toString(), "--a", one.toString(), "--b",
        queries.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.lines();
    assertEquals("a,b,squared_distance,probability,match", lines.get(0));
    assertEquals(1 + CLASSES, lines.size());
    // Row 0 of queries is the same sample as --a: distance 0, a match.
    String[] self = lines.get(1).split(",");
    assertEquals(0.0, Double.parseDouble(self[2]), 1e-9);
    assertTrue(Double.parseDouble(self[3]) > 0.5, lines.get(1));
    assertEquals("true", self[4]);
    for (int i = 2; i <= CLASSES; i++) {
      assertEquals("false", lines.get(i).split(",")[4], lines.get(i));
    }

    Result at = run("verify", "--model", model.toString(), "--a", queries.toString(), "--b",
        queries.toString(), "--at", "far=0.01", "-q");
    assertEquals(0, at.code(), at.err());
    assertTrue(at.lines().stream().skip(1).allMatch(l -> l.endsWith(",true")), at.out());

    Result unknown = run("verify", "--model", model.toString(), "--a", one.toString(), "--b",
        one.toString(), "--at", "far=0.5", "-q");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("the model stores thresholds for far=0.1"),
        unknown.err());
    assertEquals(2, run("verify", "--model", model.toString(), "--a", one.toString(), "--b",
        one.toString(), "--threshold", "1.5", "-q").code());
    Result counts = run("verify", "--model", model.toString(), "--a", test.toString(), "--b",
        queries.toString(), "-q");
    assertEquals(2, counts.code());
    assertTrue(counts.err().contains("--a holds 60 samples and --b 6"), counts.err());
  }

  @Test
  void fewshotRanksEachQueryAgainstEveryPrototype() throws Exception {
    // Three supports of each of two classes, labelled.
    StringBuilder s = new StringBuilder();
    List<String> rows = Files.readAllLines(train);
    for (int i = 0; i < 3 * CLASSES; i++) {
      if (rows.get(i).endsWith(",k0") || rows.get(i).endsWith(",k1")) {
        s.append(rows.get(i)).append('\n');
      }
    }
    Path support = Files.writeString(dir.resolve("support.csv"), s.toString());
    Result r = run("fewshot", "--model", model.toString(), "--support", support.toString(),
        "--query", queries.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.lines();
    assertEquals("query,class,rank,squared_distance,probability,match", lines.get(0));
    assertEquals(1 + 2 * CLASSES, lines.size());
    // Query 0 is of class k0, query 1 of class k1.
    assertTrue(lines.get(1).startsWith("0,k0,1,"), lines.get(1));
    assertTrue(lines.get(1).endsWith(",true"), lines.get(1));
    assertTrue(lines.get(3).startsWith("1,k1,1,"), lines.get(3));

    // Unlabelled supports: one prototype, one line per query.
    Path plain = Files.writeString(dir.resolve("plain.csv"), s.toString()
        .replaceAll(",k[0-9]", ""));
    Result one = run("fewshot", "--model", model.toString(), "--support", plain.toString(),
        "--query", queries.toString(), "-q");
    assertEquals(0, one.code(), one.err());
    assertEquals(1 + CLASSES, one.lines().size());
    assertTrue(one.lines().get(1).startsWith("0,,1,"), one.lines().get(1));
  }

  @Test
  void aModelWithoutCalibrationNeedsTrainingData() throws Exception {
    EmbeddingModel m = ModelFile.load(model);
    Map<String, String> meta = new HashMap<>(m.metadata());
    meta.remove(Verifier.PAIR_KEY);
    meta.remove(Verifier.FEWSHOT_KEY);
    Path bare = dir.resolve("bare.safetensors");
    ModelFile.save(new EmbeddingModel(m.spec(), m.parameters(), m.input(), meta), bare);

    Result missing = run("verify", "--model", bare.toString(), "--a", queries.toString(),
        "--b", queries.toString(), "-q");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("give its training data with --train"), missing.err());
    Result fitted = run("verify", "--model", bare.toString(), "--a", queries.toString(),
        "--b", queries.toString(), "--train", train.toString(), "-q");
    assertEquals(0, fitted.code(), fitted.err());
    assertEquals(1 + CLASSES, fitted.lines().size());
  }
}
