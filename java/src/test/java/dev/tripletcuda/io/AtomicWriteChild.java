package dev.tripletcuda.io;

import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.ModelFile;
import dev.tripletcuda.nn.NetworkSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A child process for {@code AtomicFilesTest}: rewrites one large model file forever, each
 * version filled with its own generation number, until it is killed.
 */
public final class AtomicWriteChild {

  private AtomicWriteChild() {}

  public static void main(String[] args) throws Exception {
    Path target = Path.of(args[0]);
    NetworkSpec spec = new NetworkSpec(1000, new int[] {2000, 1000}, true);
    float[] params = new float[(int) spec.parameterCount()];
    for (int gen = 1; ; gen++) {
      Arrays.fill(params, gen);
      ModelFile.save(new EmbeddingModel(spec, params, InputTransform.identity(1000),
          Map.of("generation", Integer.toString(gen))), target);
      System.out.println(gen);
      System.out.flush();
    }
  }
}
