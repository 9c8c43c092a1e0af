package dev.tripletcuda.backend.cuda;

import static dev.tripletcuda.backend.cuda.CudaTestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.eval.Retrieval;
import dev.tripletcuda.io.DataSources;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.train.TrainConfig;
import dev.tripletcuda.train.TrainResult;
import dev.tripletcuda.train.Trainer;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Training on the GPU reaches what training on the CPU reaches: the same settings, the same
 * embedded sample, the same seed. The runs start from the same weights and batches, so their
 * first losses agree to rounding; afterwards rounding makes the weights drift apart, and only
 * the quality of the result is compared.
 */
@Tag("gpu")
class CudaTrainingTest {

  private record Run(TrainResult result, double precisionAtOne) {}

  private static Run train(Backend backend, TrainConfig config, Dataset trainSet,
      Dataset testSet) {
    TrainResult r = new Trainer(backend, config).fit(trainSet, null);
    EmbeddingModel model = r.model();
    int d = model.spec().outputDim();
    float[] trainEmb = model.embed(backend, trainSet);
    float[] testEmb = model.embed(backend, testSet);
    double p1 = Retrieval.precisionAtOne(backend, trainEmb, trainSet.labels(), testEmb,
        testSet.labels(), d);
    return new Run(r, p1);
  }

  @Test
  void trainingOnTheGpuReachesTheCpusPrecisionAtOne() {
    CudaTestSupport.assumeDevice();
    Dataset[] data = DataSources.embedded();
    Dataset trainSet = data[0];
    Dataset testSet = data[1].withClassNames(trainSet.classNames());
    TrainConfig config = TrainConfig.defaults();

    Run cpuRun;
    try (CpuBackend cpu = new CpuBackend(Runtime.getRuntime().availableProcessors())) {
      cpuRun = train(cpu, config, trainSet, testSet);
    }
    Run gpuRun;
    try (CudaBackend gpu = CudaBackend.open(CudaOptions.fromEnvironment())) {
      gpuRun = train(gpu, config, trainSet, testSet);
      assertEquals(0, gpu.liveBuffers(), "buffers left after training");
    }

    String summary = String.format(Locale.ROOT, "precision@1 cpu %.4f, gpu %.4f; "
        + "samples/s cpu %.0f, gpu %.0f", cpuRun.precisionAtOne, gpuRun.precisionAtOne,
        cpuRun.result.samplesPerSecond(), gpuRun.result.samplesPerSecond());
    System.out.println("CudaTrainingTest: " + summary);
    assertClose("the first batch's loss", cpuRun.result.batches().get(0).loss().loss(),
        gpuRun.result.batches().get(0).loss().loss(), 1e-6, 1e-4);
    assertEquals(cpuRun.result.batches().get(0).loss().triplets(),
        gpuRun.result.batches().get(0).loss().triplets(), "the first batch's triplets");
    assertTrue(Math.abs(cpuRun.precisionAtOne - gpuRun.precisionAtOne) <= 0.01, summary);
    assertTrue(gpuRun.precisionAtOne > 0.8, "the GPU run did not learn: " + summary);
  }
}
