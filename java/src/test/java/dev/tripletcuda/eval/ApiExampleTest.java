package dev.tripletcuda.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Backends;
import dev.tripletcuda.backend.Device;
import dev.tripletcuda.io.DataSources;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.knn.KnnIndex;
import dev.tripletcuda.knn.Neighbors;
import dev.tripletcuda.nn.Embedder;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.Initializer;
import dev.tripletcuda.nn.ModelFile;
import dev.tripletcuda.nn.NetworkSpec;
import dev.tripletcuda.train.SplitMix64;
import dev.tripletcuda.train.TrainConfig;
import dev.tripletcuda.train.TrainResult;
import dev.tripletcuda.train.Trainer;
import dev.tripletcuda.train.TrainingListener;
import dev.tripletcuda.verify.LogisticCalibration;
import dev.tripletcuda.verify.Verifier;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java example, on an untrained model and a slice of the embedded sample. */
class ApiExampleTest {

  @Test
  void theReadmeExampleRuns(@TempDir Path dir) throws Exception {
    NetworkSpec spec = new NetworkSpec(784, new int[] {32, 16}, true);
    float[] scale = new float[784];
    Arrays.fill(scale, 255f);
    Verifier stored = Verifier.of(new LogisticCalibration(4, -4), new LogisticCalibration(5, -6),
        3);
    ModelFile.save(new EmbeddingModel(spec, Initializer.fanInUniform(spec, new SplitMix64(1)),
        new InputTransform(new float[784], scale), stored.toMetadata()),
        dir.resolve("model.safetensors"));
    Dataset[] full = DataSources.embedded();
    Dataset[] mnist = {slice(full[0], 1200), slice(full[1], 300)};

    // The README's training example, with one epoch instead of ten.
    TrainConfig config = TrainConfig.builder().epochs(1).seed(42).build();
    try (Backend backend = Backends.open(Device.AUTO, 2)) {
      TrainResult result = new Trainer(backend, config).fit(mnist[0], TrainingListener.NONE);
      ModelFile.save(result.model(), dir.resolve("trained.safetensors"));
    }
    assertEquals(spec.inputDim(), ModelFile.load(dir.resolve("trained.safetensors")).spec()
        .inputDim());

    // From here on, as in the README (but for the slices above).
    EmbeddingModel model = ModelFile.load(dir.resolve("model.safetensors"));
    try (Backend backend = Backends.open(Device.AUTO, 2)) {
      Embedder embedder = new Embedder(model, backend);
      float[] base = embedder.embed(mnist[0]);
      float[] queries = embedder.embed(mnist[1]);
      int d = embedder.dim();

      try (KnnIndex index = KnnIndex.builder(base, d)
          .labels(mnist[0].labels(), mnist[0].classNames()).build(backend)) {
        Neighbors nn = index.search(queries, 10);
        int nearest = nn.row(0, 0);
        float squaredDistance = nn.distance(0, 0);
        int[] predicted = index.classify(queries, 10, false);
        assertTrue(nearest >= 0 && squaredDistance >= 0 && predicted.length == 300);
      }

      Verifier verifier = Verifier.fromModel(model);
      float[] a = Arrays.copyOfRange(queries, 0, d);
      float[] b = Arrays.copyOfRange(queries, d, 2 * d);
      double pSame = verifier.matchProbability(a, b);
      double pFewShot = verifier.fewShotProbability(Arrays.copyOfRange(base, 0, 3 * d), a);
      assertTrue(pSame >= 0 && pSame <= 1 && pFewShot >= 0 && pFewShot <= 1);

      EvalReport report = Evaluation.run(backend, model, mnist[0], mnist[1],
          EvalOptions.defaults(42));
      assertEquals(300L * 299 / 2, report.toJson().get("pairs").asLong());
    }
  }

  private static Dataset slice(Dataset d, int rows) {
    int[] idx = new int[rows];
    for (int i = 0; i < rows; i++) {
      idx[i] = i;
    }
    return d.subset(idx, d.source());
  }
}
