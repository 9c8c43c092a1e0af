package dev.tripletcuda.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.verify.ClusteredEmbeddings;
import dev.tripletcuda.verify.LogisticCalibration;
import dev.tripletcuda.verify.Verifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {

  @Test
  void wellSeparatedClustersScoreNearPerfectUnderTheDocumentedNames() {
    ClusteredEmbeddings train = ClusteredEmbeddings.make(600, 10, 16, 0.05, 1);
    ClusteredEmbeddings test = ClusteredEmbeddings.make(200, 10, 16, 0.05, 2);
    try (CpuBackend backend = new CpuBackend(2)) {
      EvalReport r = Evaluation.run(backend, train.points, train.labels, test.points,
          test.labels, 16, null, EvalOptions.defaults(3));
      assertTrue(r.calibrationFitted());
      assertEquals(1.0, r.precisionAt1());
      assertEquals(1.0, r.recallAtK());
      assertEquals(1.0, r.mapAtR(), 1e-12);
      assertEquals(1.0, r.pairAuc());
      assertEquals(0.0, r.pairEer());
      assertTrue(r.pairEce() < 0.01, "ece " + r.pairEce());
      assertTrue(r.pairBrier() < 0.01, "brier " + r.pairBrier());
      assertEquals(1.0, r.fewShotAccuracy());
      assertEquals(1.0, r.fewShotVerifyAuc());
      assertEquals(1.0, r.fewShotVerifyAccuracy());
      assertEquals(200L * 199 / 2, r.pairs());

      ObjectNode json = r.toJson();
      List<String> names = new ArrayList<>();
      json.fieldNames().forEachRemaining(names::add);
      assertEquals(List.of("precision_at_1", "recall_at_10", "map_at_r", "pair_auc", "pair_eer",
          "pair_ece", "pair_brier", "fewshot_5way_3shot", "fewshot_verify_auc",
          "fewshot_verify_accuracy"), names.subList(0, 10));
      assertEquals(r.pairAuc(), json.get("pair_auc").asDouble());
    }
  }

  @Test
  void aStoredCalibrationIsUsedAsItIs() {
    ClusteredEmbeddings train = ClusteredEmbeddings.make(300, 5, 8, 0.3, 4);
    ClusteredEmbeddings test = ClusteredEmbeddings.make(100, 5, 8, 0.3, 5);
    Verifier fixed = Verifier.of(new LogisticCalibration(0, 0), new LogisticCalibration(0, 0),
        3);
    try (CpuBackend backend = new CpuBackend(2)) {
      EvalReport r = Evaluation.run(backend, train.points, train.labels, test.points,
          test.labels, 8, fixed, EvalOptions.defaults(3));
      assertFalse(r.calibrationFitted());
      // p = 0.5 everywhere: ECE = |0.5 - share of same-class pairs|.
      double share = (double) r.pairRoc().positives() / r.pairs();
      assertEquals(Math.abs(0.5 - share), r.pairEce(), 1e-9);
      assertEquals(0.25, r.pairBrier(), 1e-9);
    }
  }

  @Test
  void anEmptySplitIsAClearError() {
    ClusteredEmbeddings train = ClusteredEmbeddings.make(60, 3, 4, 0.1, 6);
    try (CpuBackend backend = new CpuBackend(1)) {
      IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
          () -> Evaluation.run(backend, train.points, train.labels, new float[0], new int[0], 4,
              null, EvalOptions.defaults(1)));
      assertEquals("the test split is empty", empty.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Evaluation.run(backend, new float[0],
          new int[0], train.points, train.labels, 4, null, EvalOptions.defaults(1)));
    }
  }

  @Test
  void figuresTheDataCannotGiveAreUnavailableWithTheReason() {
    ClusteredEmbeddings train = ClusteredEmbeddings.make(60, 3, 4, 0.1, 6);
    ClusteredEmbeddings oneClass = ClusteredEmbeddings.make(10, 1, 4, 0.1, 7);
    try (CpuBackend backend = new CpuBackend(1)) {
      // Three classes cannot make 5-way episodes; one class has no other-class pairs.
      EvalReport r = Evaluation.run(backend, train.points, train.labels, oneClass.points,
          oneClass.labels, 4, null, EvalOptions.defaults(1));
      assertTrue(Double.isNaN(r.fewShotAccuracy()));
      assertTrue(r.unavailable().get("fewshot_5way_3shot").startsWith("5-way 3-shot episodes"),
          r.unavailable().toString());
      assertTrue(Double.isNaN(r.pairAuc()));
      assertTrue(r.unavailable().get("pair_auc").contains("all same-class"));
      assertTrue(Double.isNaN(r.fewShotVerifyAuc()));
      assertEquals(1.0, r.precisionAt1());
      assertTrue(r.toJson().get("pair_auc").isNull());
      assertEquals(r.unavailable().get("pair_auc"),
          r.toJson().get("unavailable").get("pair_auc").asText());
    }
  }

  @Test
  void optionsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new EvalOptions(0, 5, 3, 5, 1000, 2000,
        4096, 1, EvalOptions.defaults(1).calibration()));
    assertThrows(IllegalArgumentException.class, () -> new EvalOptions(10, 1, 3, 5, 1000, 2000,
        4096, 1, EvalOptions.defaults(1).calibration()));
    assertThrows(IllegalArgumentException.class, () -> new EvalOptions(10, 5, 3, 5, 1000, 2000,
        1, 1, EvalOptions.defaults(1).calibration()));
  }
}
