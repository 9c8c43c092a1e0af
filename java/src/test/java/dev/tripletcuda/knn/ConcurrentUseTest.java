package dev.tripletcuda.knn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.nn.Embedder;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.Initializer;
import dev.tripletcuda.nn.NetworkSpec;
import dev.tripletcuda.train.SplitMix64;
import dev.tripletcuda.verify.ClusteredEmbeddings;
import dev.tripletcuda.verify.LogisticCalibration;
import dev.tripletcuda.verify.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Many threads embedding, searching and verifying through one backend at once. */
class ConcurrentUseTest {

  @Test
  void concurrentCallsGiveTheSequentialResults() throws Exception {
    NetworkSpec spec = new NetworkSpec(12, new int[] {16, 8}, true);
    EmbeddingModel model = new EmbeddingModel(spec,
        Initializer.fanInUniform(spec, new SplitMix64(5)), InputTransform.identity(12), Map.of());
    Verifier verifier = Verifier.of(new LogisticCalibration(3, -4),
        new LogisticCalibration(5, -6), 3);
    int tasks = 24;
    float[][] inputs = new float[tasks][];
    for (int t = 0; t < tasks; t++) {
      inputs[t] = ClusteredEmbeddings.random((30 + t) * 12, 100 + t);
    }

    try (CpuBackend backend = new CpuBackend(2)) {
      Embedder embedder = new Embedder(model, backend);
      float[] base = embedder.embed(ClusteredEmbeddings.random(500 * 12, 7), 500);
      try (KnnIndex index = KnnIndex.builder(base, 8).labels(new int[500], null)
          .build(backend)) {
        // Sequential answers first.
        List<Neighbors> expected = new ArrayList<>();
        List<Double> expectedP = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
          float[] e = embedder.embed(inputs[t], 30 + t);
          expected.add(index.search(e, 5 + t));
          expectedP.add(verifier.matchProbability(slice(e, 0), slice(e, 1)));
        }

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
          List<Future<Object[]>> futures = new ArrayList<>();
          for (int round = 0; round < 3; round++) {
            for (int t = 0; t < tasks; t++) {
              int task = t;
              Callable<Object[]> job = () -> {
                float[] e = embedder.embed(inputs[task], 30 + task);
                return new Object[] {index.search(e, 5 + task),
                    verifier.matchProbability(slice(e, 0), slice(e, 1))};
              };
              futures.add(pool.submit(job));
            }
          }
          for (int i = 0; i < futures.size(); i++) {
            Object[] got = futures.get(i).get();
            Neighbors want = expected.get(i % tasks);
            assertArrayEquals(want.rows(), ((Neighbors) got[0]).rows(), "task " + i);
            assertArrayEquals(want.distances(), ((Neighbors) got[0]).distances(), "task " + i);
            assertEquals(expectedP.get(i % tasks), (Double) got[1], "task " + i);
          }
        } finally {
          pool.shutdownNow();
        }
      }
    }
  }

  private static float[] slice(float[] e, int row) {
    float[] out = new float[8];
    System.arraycopy(e, row * 8, out, 0, 8);
    return out;
  }
}
