package dev.tripletcuda.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.io.InvalidDataException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerifierTest {

  private static Verifier fitted() {
    ClusteredEmbeddings c = ClusteredEmbeddings.make(400, 5, 8, 0.1, 1);
    try (CpuBackend backend = new CpuBackend(2)) {
      return Verifier.fit(backend, c.points, c.labels, 8, new CalibrationSettings(
          Calibration.Method.LOGISTIC, 300, 3, 2000, 9));
    }
  }

  @Test
  void fittedProbabilitiesFallWithDistance() {
    Verifier v = fitted();
    // Same-class squared distances are about 2 * 8 * 0.1^2 = 0.16, others about 2.16.
    assertTrue(v.pairProbability(0.1) > 0.9, "" + v.pairProbability(0.1));
    assertTrue(v.pairProbability(2.0) < 0.05, "" + v.pairProbability(2.0));
    assertTrue(v.fewShotProbability(0.1) > v.fewShotProbability(1.0));
    float[] a = {1, 0, 0, 0, 0, 0, 0, 0};
    float[] b = {0, 1, 0, 0, 0, 0, 0, 0};
    assertEquals(v.pairProbability(2.0), v.matchProbability(a, b), 1e-12);
    assertEquals(v.fewShotProbability(0.0), v.fewShotProbability(new float[] {1, 0, 0, 0, 0, 0,
        0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, a), 1e-12);
    assertEquals(3, v.shots());
    assertTrue(v.thresholds().containsKey("far=0.001"), v.thresholds().toString());
    assertTrue(v.thresholds().containsKey("precision=0.99"), v.thresholds().toString());
  }

  @Test
  void metadataRoundTripKeepsEverything() {
    Verifier v = fitted();
    Map<String, String> meta = v.toMetadata();
    Verifier back = Verifier.fromMetadata("m", meta).orElseThrow();
    for (double d : new double[] {0, 0.3, 1, 2.5}) {
      assertEquals(v.pairProbability(d), back.pairProbability(d));
      assertEquals(v.fewShotProbability(d), back.fewShotProbability(d));
    }
    assertEquals(v.thresholds(), back.thresholds());
    assertEquals(v.shots(), back.shots());
    assertEquals(Optional.empty(), Verifier.fromMetadata("m", Map.of("seed", "1")));
  }

  @Test
  void malformedMetadataIsAClearError() {
    Map<String, String> meta = new HashMap<>(fitted().toMetadata());
    meta.put(Verifier.PAIR_KEY, "{not json");
    InvalidDataException e = assertThrows(InvalidDataException.class,
        () -> Verifier.fromMetadata("model.safetensors", meta));
    assertTrue(e.getMessage().startsWith("model.safetensors: metadata 'pair_calibration': is "
        + "not valid JSON"), e.getMessage());
    meta.remove(Verifier.PAIR_KEY);
    assertThrows(InvalidDataException.class, () -> Verifier.fromMetadata("m", meta));
    meta.put(Verifier.PAIR_KEY, "{\"method\":\"logistic\",\"a\":1}");
    assertThrows(InvalidDataException.class, () -> Verifier.fromMetadata("m", meta));
  }

  @Test
  void mismatchedEmbeddingsAreClearErrors() {
    Verifier v = Verifier.of(new LogisticCalibration(1, -1), new LogisticCalibration(1, -1), 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> v.matchProbability(new float[3], new float[4]));
    assertEquals("embedding dims differ: a has 3 values, b has 4", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> v.fewShotProbability(new float[7], new float[3]));
    assertThrows(IllegalArgumentException.class, () -> Verifier.of(
        new LogisticCalibration(1, -1), new LogisticCalibration(1, -1), 0));
  }

  @Test
  void oneClassCannotBeCalibrated() {
    try (CpuBackend backend = new CpuBackend(1)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Verifier.fit(backend, new float[20], new int[10], 2,
              CalibrationSettings.defaults(1)));
      assertTrue(e.getMessage().contains("both same-class and other pairs"), e.getMessage());
    }
  }

  @Test
  void settingsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new CalibrationSettings(
        Calibration.Method.LOGISTIC, 1, 3, 100, 1));
    assertThrows(IllegalArgumentException.class, () -> new CalibrationSettings(
        Calibration.Method.LOGISTIC, 100, 0, 100, 1));
    assertThrows(IllegalArgumentException.class, () -> new CalibrationSettings(
        Calibration.Method.ISOTONIC, 100, 3, 1, 1));
  }
}
