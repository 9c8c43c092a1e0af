package dev.tripletcuda.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.eval.Retrieval;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.OptimizerSpec;
import dev.tripletcuda.testing.Synthetic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TrainerTest {

  private static TrainConfig small(Mining mining) {
    return TrainConfig.builder().layers(16, 8).classesPerBatch(4).perClass(5).epochs(3)
        .loss(new TripletLossSpec(mining, 0.2f, Reduction.MEAN_ACTIVE)).seed(3).build();
  }

  @Test
  void sameSeedGivesTheSameWeightsWhateverTheThreadCount() {
    Dataset data = Synthetic.clusters(1, 6, 40, 20, 0.5);
    float[] one;
    float[] two;
    try (CpuBackend b1 = new CpuBackend(1); CpuBackend b2 = new CpuBackend(2)) {
      one = new Trainer(b1, small(Mining.BATCH_ALL)).fit(data, null).model().parameters();
      two = new Trainer(b2, small(Mining.BATCH_ALL)).fit(data, null).model().parameters();
    }
    assertArrayEquals(one, two);
  }

  @ParameterizedTest
  @EnumSource(Mining.class)
  void trainingSeparatesWellSeparatedClusters(Mining mining) {
    Dataset[] split = Synthetic.clusters(2, 8, 60, 32, 0.6).split(0.25, 9);
    try (CpuBackend backend = new CpuBackend(2)) {
      TrainResult r = new Trainer(backend, small(mining).toBuilder().epochs(8).build())
          .fit(split[0], null);
      EmbeddingModel m = r.model();
      float[] tr = m.embed(backend, split[0]);
      float[] te = m.embed(backend, split[1]);
      double p1 = Retrieval.precisionAtOne(backend, tr, split[0].labels(), te,
          split[1].labels(), m.spec().outputDim());
      assertTrue(p1 > 0.95, mining + ": precision@1 " + p1);
      assertEquals(8 * (split[0].rows() / 20), r.batches().size());
      assertEquals(8, r.epochs().size());
      assertTrue(r.samplesPerSecond() > 0);
    }
  }

  @Test
  void batchesFollowTheEpochDefinition() {
    Dataset data = Synthetic.clusters(3, 5, 23, 4, 1);
    try (CpuBackend backend = new CpuBackend(1)) {
      int[] seen = new int[1];
      TrainResult r = new Trainer(backend, small(Mining.BATCH_HARD)).fit(data,
          new TrainingListener() {
            @Override
            public void onStart(int epochs, int batchesPerEpoch, int batchSize) {
              assertEquals(3, epochs);
              assertEquals(115 / 20, batchesPerEpoch);
              assertEquals(20, batchSize);
            }

            @Override
            public void onBatch(BatchStats s) {
              seen[0]++;
              assertEquals(seen[0], s.step());
            }
          });
      assertEquals(3 * 5, seen[0]);
      assertEquals(3L * 5 * 20, r.samples());
    }
  }

  @Test
  void divergenceStopsWithEpochAndBatchNamed() {
    Dataset data = Synthetic.clusters(4, 4, 30, 8, 1);
    TrainConfig config = small(Mining.BATCH_ALL).toBuilder()
        .optimizer(new OptimizerSpec(OptimizerSpec.Kind.SGD, 1e30f, 0.9f, 0f))
        .loss(new TripletLossSpec(Mining.BATCH_ALL, 0.2f, Reduction.SUM))
        .normalize(false).epochs(5).build();
    try (CpuBackend backend = new CpuBackend(1)) {
      long before = backend.liveBuffers();
      TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
          () -> new Trainer(backend, config).fit(data, null));
      assertTrue(e.getMessage().matches(".*epoch \\d+, batch \\d+.*"), e.getMessage());
      assertEquals(before, backend.liveBuffers(), "buffers freed after the failure");
    }
  }

  @Test
  void tooFewClassesOrSamplesSuggestWorkingSettings() {
    Dataset data = Synthetic.clusters(5, 3, 10, 4, 1);
    try (CpuBackend backend = new CpuBackend(1)) {
      IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
          () -> new Trainer(backend, TrainConfig.defaults()).fit(data, null));
      assertTrue(p.getMessage().contains("3 classes, fewer than 10")
          && p.getMessage().contains("--classes-per-batch 3"), p.getMessage());
      TrainConfig k = TrainConfig.builder().classesPerBatch(3).build();
      IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
          () -> new Trainer(backend, k).fit(data, null));
      assertTrue(s.getMessage().contains("10 training samples, fewer than 16")
          && s.getMessage().contains("--per-class 10"), s.getMessage());
    }
  }
}
