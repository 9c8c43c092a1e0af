package dev.tripletcuda.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tripletcuda.testing.Corpus;
import dev.tripletcuda.testing.LoaderChecks;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzzes the CSV reader from raw file bytes, UTF-8 decoding included. */
class CsvFuzzTest {

  static Stream<Arguments> seeds() {
    return Corpus.seeds("csv");
  }

  @MethodSource("seeds")
  @FuzzTest(maxDuration = "10s")
  void csvBytesLoadOrFailWithInvalidData(byte[] data) {
    LoaderChecks.loadOrReject(Set.of("fuzz.csv"), () -> DataSources.csv("fuzz.csv", data))
        .ifPresent(LoaderChecks::checkDataset);
  }
}
