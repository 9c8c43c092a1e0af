package dev.tripletcuda.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tripletcuda.testing.Corpus;
import dev.tripletcuda.testing.LoaderChecks;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the IDX reader. The input is an images file, or a labels file when its header says
 * so; the other file of the pair is made to match its declared count, so that the fuzzer gets
 * past the count check into the reading of both.
 */
class IdxFuzzTest {

  static Stream<Arguments> seeds() {
    return Corpus.seeds("idx");
  }

  @MethodSource("seeds")
  @FuzzTest(maxDuration = "10s")
  void idxBytesLoadOrFailWithInvalidData(byte[] data) {
    boolean labelsFile = data.length > 3 && data[0] == 0 && data[1] == 0 && data[3] == 1;
    int declared = data.length >= 8 ? (data[4] & 0xFF) << 24 | (data[5] & 0xFF) << 16
        | (data[6] & 0xFF) << 8 | (data[7] & 0xFF) : 1;
    int count = declared >= 1 && declared <= 1 << 12 ? declared : 1;
    String fuzzed = labelsFile ? "labels" : "images";
    String other = labelsFile ? "images" : "labels";
    byte[] companion = labelsFile ? file(3, count, 1, 1) : file(1, count);
    LoaderChecks.loadOrReject(Set.of(fuzzed, other), () -> labelsFile
        ? IdxReader.read(other, companion, fuzzed, data)
        : IdxReader.read(fuzzed, data, other, companion))
        .ifPresent(LoaderChecks::checkDataset);
  }

  /** A valid IDX file of unsigned bytes with the given sizes. */
  private static byte[] file(int n, int... dims) {
    int size = 1;
    for (int d : dims) {
      size *= d;
    }
    byte[] b = new byte[4 + 4 * n + size];
    b[2] = IdxReader.TYPE_UBYTE;
    b[3] = (byte) n;
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < 4; k++) {
        b[4 + 4 * i + k] = (byte) (dims[i] >>> (24 - 8 * k));
      }
    }
    return b;
  }
}
