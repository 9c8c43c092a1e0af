package dev.tripletcuda.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.eval.Retrieval;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.testing.Synthetic;
import org.junit.jupiter.api.Test;

class ResourceTest {

  @Test
  void thousandsOfOperationsHoldNoBuffersAfterwards() {
    Dataset data = Synthetic.clusters(1, 4, 20, 6, 0.5);
    TrainConfig config = TrainConfig.builder().layers(8, 4).classesPerBatch(4).perClass(5)
        .epochs(2).build();
    try (CpuBackend backend = new CpuBackend(2)) {
      long buffers = backend.liveBuffers();
      long bytes = backend.liveBytes();
      for (int i = 0; i < 200; i++) {
        EmbeddingModel m = new Trainer(backend, config).fit(data, null).model();
        float[] e = m.embed(backend, data);
        Retrieval.precisionAtOne(backend, e, data.labels(), e, data.labels(), 4);
        try (Tensor t = backend.allocate(3, 3); IntTensor it = backend.allocateInts(2)) {
          backend.fill(t, 1f);
          backend.upload(new int[] {1, 2}, 0, it);
        }
      }
      assertEquals(buffers, backend.liveBuffers(), "live buffers after 200 runs");
      assertEquals(bytes, backend.liveBytes(), "live bytes after 200 runs");
    }
  }
}
