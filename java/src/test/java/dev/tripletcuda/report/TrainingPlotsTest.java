package dev.tripletcuda.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.testing.ReportFiles;
import dev.tripletcuda.testing.Synthetic;
import dev.tripletcuda.train.BatchStats;
import dev.tripletcuda.train.TrainConfig;
import dev.tripletcuda.train.TrainResult;
import dev.tripletcuda.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingPlotsTest {

  private static TrainConfig config;
  private static TrainResult result;

  @TempDir
  Path dir;

  @BeforeAll
  static void train() {
    config = TrainConfig.builder().layers(16, 4).classesPerBatch(4).perClass(4).epochs(3)
        .build();
    try (CpuBackend backend = new CpuBackend(1)) {
      result = new Trainer(backend, config).fit(Synthetic.clusters(3, 5, 20, 8, 0.5), null);
    }
  }

  @Test
  void reportPlotsEveryBatchStatisticAsItIs() {
    double[] p1 = {Double.NaN, 0.5, 0.75};
    Report r = TrainingPlots.report(result, config, p1).build();

    List<BatchStats> batches = result.batches();
    int n = batches.size();
    assertTrue(n > 0);
    double[] step = r.series().get("step");
    double[] loss = r.series().get("loss");
    double[] active = r.series().get("active_fraction");
    double[] pos = r.series().get("mean_positive");
    double[] neg = r.series().get("mean_negative");
    assertEquals(n, loss.length);
    for (int i = 0; i < n; i++) {
      BatchStats b = batches.get(i);
      assertEquals(b.step(), step[i]);
      assertEquals(b.loss().loss(), loss[i]);
      assertEquals(b.loss().activeFraction(), active[i]);
      assertEquals(b.loss().meanPositive(), pos[i]);
      assertEquals(b.loss().meanNegative(), neg[i]);
    }
    assertEquals(result.finalLoss(), loss[n - 1]);
    assertArrayEquals(new double[] {1, 2, 3}, r.series().get("epoch"));
    assertArrayEquals(p1, r.series().get("precision_at_1"));
    assertEquals(TrainingPlots.format(result.finalLoss()), r.value("final loss"));
    assertEquals("0.7500", r.value("precision@1"));
    assertEquals("batch-all", r.value("mining"));
  }

  @Test
  void reportWritesValidImagesAndAPageShowingThem() throws IOException {
    double[] p1 = {Double.NaN, Double.NaN, 0.8};
    TrainingPlots.report(result, config, p1).build().write(dir);
    ReportFiles.check(dir, "loss.png", "active.png", "distances.png", "precision.png");
    JsonNode series = ReportFiles.series(dir);
    assertEquals(result.batches().size(), series.get("loss").size());
    assertTrue(series.get("precision_at_1").get(0).isNull());
    assertEquals(0.8, series.get("precision_at_1").get(2).asDouble());
  }

  @Test
  void reportWithoutMeasurementsSaysSo() throws IOException {
    Report r = TrainingPlots.report(result, config, new double[3]).build();
    assertEquals("0.0000", r.value("precision@1"));
    Report none = TrainingPlots.report(result, config,
        new double[] {Double.NaN, Double.NaN, Double.NaN}).build();
    assertEquals("not measured", none.value("precision@1"));
    none.write(dir);
    ReportFiles.assertValidPng(dir.resolve("precision.png"));
  }

  @Test
  void reportRejectsAPrecisionPerEpochOfTheWrongLength() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainingPlots.report(result, config, new double[2]));
    assertTrue(e.getMessage().contains("2 entries"), e.getMessage());
    assertTrue(e.getMessage().contains("(3)"), e.getMessage());
  }
}
