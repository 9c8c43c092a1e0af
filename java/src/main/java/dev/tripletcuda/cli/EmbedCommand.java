package dev.tripletcuda.cli;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.io.NpyFiles;
import dev.tripletcuda.io.Samples;
import dev.tripletcuda.nn.Embedder;
import dev.tripletcuda.nn.EmbeddingModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tripletcuda embed}: samples to a NumPy file of embeddings. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Embed samples and write the embeddings as a NumPy .npy file (float32, "
        + "shape (N, D), rows in the order of the samples).")
final class EmbedCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(EmbedCommand.class);

  @Option(names = "--model", required = true, paramLabel = "FILE",
      description = "The model (safetensors).")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "PATH",
      description = "Samples in any format train reads; a CSV may leave out the label column.")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "FILE.npy",
      description = "Where to write the embeddings (written atomically).")
  Path out;

  @Mixin
  DeviceOptions device = new DeviceOptions();

  @Override
  public Integer call() {
    ModelInputs.checkOutput("--out", out);
    EmbeddingModel m = ModelInputs.model(model);
    Samples samples = ModelInputs.samples("--data", data, m);
    float[] emb;
    try (Backend backend = device.open()) {
      emb = new Embedder(m, backend).embed(samples.data());
    }
    int d = m.spec().outputDim();
    try {
      NpyFiles.write(out, emb, samples.rows(), d);
    } catch (IOException e) {
      throw new OutputException("cannot write " + out + ": " + e.getMessage(), e);
    }
    log.info("wrote {} embeddings of {} values to {}", samples.rows(), d, out);
    return ExitCodes.OK;
  }
}
