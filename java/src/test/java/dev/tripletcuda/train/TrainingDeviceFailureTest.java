package dev.tripletcuda.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.backend.cuda.DeviceFailureException;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.testing.Synthetic;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device that fails under a running training stops it like a divergence: the exception names
 * the epoch, the batch and the last checkpoint, and that checkpoint stays as written. The
 * failure is raised from the listener, which runs inside the training loop exactly where a
 * failing device call would.
 */
class TrainingDeviceFailureTest {

  @TempDir
  Path dir;

  private static TrainConfig config() {
    return TrainConfig.builder().layers(12, 6).classesPerBatch(3).perClass(4).epochs(3)
        .seed(5).build();
  }

  private static TrainingListener failAtStep(long step) {
    return new TrainingListener() {
      @Override
      public void onBatch(BatchStats s) {
        if (s.step() == step) {
          throw new DeviceFailureException("the CUDA device was lost while running queued "
              + "work (CUDA_ERROR_ILLEGAL_ADDRESS)");
        }
      }
    };
  }

  @Test
  void deviceFailureNamesTheBatchAndKeepsTheLastCheckpoint() throws Exception {
    Dataset data = Synthetic.clusters(3, 5, 24, 10, 0.7);
    Path ckpt = dir.resolve("run.ckpt");
    try (CpuBackend backend = new CpuBackend(2)) {
      TrainingDeviceFailureException e = assertThrows(TrainingDeviceFailureException.class,
          () -> new Trainer(backend, config()).checkpointEvery(4, ckpt).fit(data,
              failAtStep(7)));
      byte[] written = Files.readAllBytes(ckpt);

      assertEquals(4, Checkpoint.load(ckpt).step(), "the checkpoint before the failure");
      assertTrue(e.lastCheckpoint().startsWith(ckpt.toString()), e.lastCheckpoint());
      assertTrue(e.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), e.getMessage());
      assertTrue(e.getMessage().contains("--resume"), e.getMessage());
      assertTrue(e.getMessage().contains("batch " + e.batch()), e.getMessage());
      assertTrue(e.getCause() instanceof DeviceFailureException);
      assertTrue(java.util.Arrays.equals(written, Files.readAllBytes(ckpt)),
          "the checkpoint was rewritten after the failure");
    }
  }

  @Test
  void deviceFailureWithoutCheckpointsSaysNoneWasWritten() {
    Dataset data = Synthetic.clusters(3, 5, 24, 10, 0.7);
    try (CpuBackend backend = new CpuBackend(2)) {
      TrainingDeviceFailureException e = assertThrows(TrainingDeviceFailureException.class,
          () -> new Trainer(backend, config()).fit(data, failAtStep(2)));
      assertNull(e.lastCheckpoint());
      assertTrue(e.getMessage().contains("No checkpoint was written"), e.getMessage());
      assertTrue(e.getMessage().startsWith("training stopped at epoch 1, batch 2: "),
          e.getMessage());
    }
  }
}
