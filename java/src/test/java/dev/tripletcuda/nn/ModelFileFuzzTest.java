package dev.tripletcuda.nn;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tripletcuda.io.SafeTensors;
import dev.tripletcuda.testing.Corpus;
import dev.tripletcuda.testing.LoaderChecks;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzzes the safetensors parser, and the model reader on every file that parses. */
class ModelFileFuzzTest {

  static Stream<Arguments> seeds() {
    return Corpus.seeds("safetensors", "model");
  }

  @MethodSource("seeds")
  @FuzzTest(maxDuration = "10s")
  void safetensorsBytesLoadOrFailWithInvalidData(byte[] data) {
    String name = "fuzz.safetensors";
    LoaderChecks.loadOrReject(Set.of(name), () -> SafeTensors.parse(name, data))
        .flatMap(c -> LoaderChecks.loadOrReject(Set.of(name), () -> ModelFile.read(name, c)))
        .ifPresent(m -> {
          if (m.parameters().length != m.spec().parameterCount()) {
            throw new AssertionError("model " + m.spec() + " with " + m.parameters().length
                + " parameters");
          }
        });
  }
}
