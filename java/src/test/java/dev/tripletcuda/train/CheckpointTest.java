package dev.tripletcuda.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.io.InvalidDataException;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import dev.tripletcuda.nn.OptimizerSpec;
import dev.tripletcuda.testing.Synthetic;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckpointTest {

  @TempDir
  Path dir;

  /** Thrown by a listener to stand for a crash. */
  static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private static TrainConfig config(OptimizerSpec.Kind kind) {
    return TrainConfig.builder().layers(12, 6).classesPerBatch(3).perClass(4).epochs(4)
        .optimizer(kind == OptimizerSpec.Kind.ADAM ? OptimizerSpec.DEFAULT
            : new OptimizerSpec(kind, 0.05f, 0.9f, 1e-4f))
        .loss(new TripletLossSpec(Mining.SEMI_HARD, 0.3f, Reduction.MEAN_ACTIVE)).seed(11)
        .build();
  }

  @ParameterizedTest(name = "{0}, crash after {1} batches, checkpoint every {2}")
  @CsvSource({"ADAM,13,5", "SGD,7,7", "ADAM,20,10"})
  void resumedRunEndsWithExactlyTheWeightsOfAnUninterruptedOne(OptimizerSpec.Kind kind,
      int crashAfter, int every) {
    Dataset data = Synthetic.clusters(3, 5, 24, 10, 0.7);
    TrainConfig config = config(kind);
    Path ckpt = dir.resolve("run.ckpt");
    try (CpuBackend backend = new CpuBackend(2)) {
      TrainResult straight = new Trainer(backend, config).fit(data, null);

      assertThrows(Crash.class, () -> new Trainer(backend, config).checkpointEvery(every, ckpt)
          .fit(data, new TrainingListener() {
            @Override
            public void onBatch(BatchStats s) {
              if (s.step() == crashAfter) {
                throw new Crash();
              }
            }
          }));
      Checkpoint c = Checkpoint.load(ckpt);
      // A batch's checkpoint is written before listeners hear of the batch.
      assertEquals(crashAfter / every * every, c.step());

      TrainResult resumed = new Trainer(backend, config).resumeFrom(c).fit(data, null);
      assertArrayEquals(straight.model().parameters(), resumed.model().parameters());
      assertEquals(straight.batches().size(), resumed.batches().size(), "history kept");
      assertEquals(straight.finalLoss(), resumed.finalLoss(), 1e-9);
    }
  }

  @Test
  void checkpointAtAnEpochEndContinuesWithTheNextEpoch() {
    Dataset data = Synthetic.clusters(4, 3, 24, 6, 0.7);
    TrainConfig config = config(OptimizerSpec.Kind.ADAM);
    int perEpoch = data.rows() / config.batchSize();
    Path ckpt = dir.resolve("e.ckpt");
    try (CpuBackend backend = new CpuBackend(1)) {
      TrainResult straight = new Trainer(backend, config).fit(data, null);
      assertThrows(Crash.class, () -> new Trainer(backend, config)
          .checkpointEvery(perEpoch, ckpt).fit(data, new TrainingListener() {
            @Override
            public void onBatch(BatchStats s) {
              if (s.step() == perEpoch + 1) {
                throw new Crash();
              }
            }
          }));
      Checkpoint c = Checkpoint.load(ckpt);
      assertEquals(2, c.epoch());
      assertEquals(0, c.batch());
      TrainResult resumed = new Trainer(backend, config).resumeFrom(c).fit(data, null);
      assertArrayEquals(straight.model().parameters(), resumed.model().parameters());
    }
  }

  @Test
  void resumingOnOtherDataOrSettingsIsRefused() {
    Dataset data = Synthetic.clusters(5, 3, 24, 6, 0.7);
    TrainConfig config = config(OptimizerSpec.Kind.ADAM).toBuilder().epochs(1).build();
    Path ckpt = dir.resolve("x.ckpt");
    try (CpuBackend backend = new CpuBackend(1)) {
      new Trainer(backend, config).checkpointEvery(2, ckpt).fit(data, null);
      Checkpoint c = Checkpoint.load(ckpt);
      Dataset other = Synthetic.clusters(6, 3, 24, 6, 0.7);
      IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
          () -> new Trainer(backend, config).resumeFrom(c).fit(other, null));
      assertTrue(d.getMessage().contains("other training data"), d.getMessage());
      TrainConfig changed = config.toBuilder().seed(12).build();
      IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
          () -> new Trainer(backend, changed).resumeFrom(c).fit(data, null));
      assertTrue(s.getMessage().contains("other settings"), s.getMessage());
      // More epochs is allowed.
      new Trainer(backend, config.toBuilder().epochs(2).build()).resumeFrom(c).fit(data, null);
    }
  }

  @Test
  void aModelFileIsNotACheckpoint() throws Exception {
    Path model = dir.resolve("m.safetensors");
    try (CpuBackend backend = new CpuBackend(1)) {
      TrainResult r = new Trainer(backend, config(OptimizerSpec.Kind.ADAM).toBuilder()
          .epochs(1).build()).fit(Synthetic.clusters(7, 3, 24, 6, 0.7), null);
      dev.tripletcuda.nn.ModelFile.save(r.model(), model);
    }
    InvalidDataException e = assertThrows(InvalidDataException.class,
        () -> Checkpoint.load(model));
    assertTrue(e.getMessage().contains("a training checkpoint"), e.getMessage());
  }

  @Test
  void divergenceNamesTheLastGoodCheckpointAndLeavesItIntact() throws Exception {
    Dataset data = Synthetic.clusters(8, 4, 30, 8, 1);
    Path ckpt = dir.resolve("d.ckpt");
    TrainConfig config = TrainConfig.builder().layers(16, 8).classesPerBatch(4).perClass(5)
        .epochs(50).normalize(false)
        .loss(new TripletLossSpec(Mining.BATCH_ALL, 0.2f, Reduction.SUM))
        .optimizer(new OptimizerSpec(OptimizerSpec.Kind.SGD, 2f, 0.9f, 0f)).build();
    try (CpuBackend backend = new CpuBackend(1)) {
      TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
          () -> new Trainer(backend, config).checkpointEvery(1, ckpt).fit(data, null));
      assertTrue(e.getMessage().contains("last good checkpoint is " + ckpt), e.getMessage());
      assertTrue(Files.exists(ckpt));
      Checkpoint c = Checkpoint.load(ckpt);
      for (float p : c.params()) {
        assertTrue(Float.isFinite(p), "checkpoint holds only finite parameters");
      }
    }
  }

  @Test
  void collapseIsReportedOnceWithTheFigures() {
    Dataset data = Synthetic.clusters(9, 4, 30, 8, 1);
    // A huge weight decay drives every weight, and so every embedding, to zero.
    TrainConfig config = TrainConfig.builder().layers(16, 8).classesPerBatch(4).perClass(5)
        .epochs(20).normalize(false)
        .optimizer(new OptimizerSpec(OptimizerSpec.Kind.SGD, 0.1f, 0f, 9f)).build();
    java.util.List<String> heard = new java.util.ArrayList<>();
    try (CpuBackend backend = new CpuBackend(1)) {
      TrainResult r = new Trainer(backend, config).fit(data, new TrainingListener() {
        @Override
        public void onWarning(String message) {
          heard.add(message);
        }
      });
      assertEquals(1, r.warnings().size(), "warned once");
      assertEquals(r.warnings(), heard);
      assertTrue(r.warnings().get(0).contains("collapsing"), r.warnings().get(0));
    }
  }

  @Test
  void healthyTrainingDoesNotWarn() {
    try (CpuBackend backend = new CpuBackend(1)) {
      TrainResult r = new Trainer(backend, config(OptimizerSpec.Kind.ADAM).toBuilder()
          .epochs(30).build()).fit(Synthetic.clusters(10, 3, 24, 6, 0.7), null);
      assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }
  }
}
