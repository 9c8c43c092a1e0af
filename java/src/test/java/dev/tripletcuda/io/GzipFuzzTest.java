package dev.tripletcuda.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tripletcuda.testing.Corpus;
import dev.tripletcuda.testing.LoaderChecks;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes gzip decoding, then the reader the content looks like (IDX images with a fixed labels
 * file, else CSV). The size limit is lowered so that a stream that inflates far is refused
 * quickly instead of filling the memory.
 */
class GzipFuzzTest {

  /** Decompressed bytes allowed per input. */
  private static final int LIMIT = 1 << 20;

  static Stream<Arguments> seeds() {
    return Corpus.seeds("gzip");
  }

  @MethodSource("seeds")
  @FuzzTest(maxDuration = "10s")
  void gzipBytesLoadOrFailWithInvalidData(byte[] data) {
    if (!Gzip.isGzip(data)) {
      return;
    }
    byte[] labels = {0, 0, IdxReader.TYPE_UBYTE, 1, 0, 0, 0, 1, 0};
    LoaderChecks.loadOrReject(Set.of("fuzz.gz", "labels"), () -> {
      byte[] plain = Gzip.decompress("fuzz.gz", data, LIMIT);
      return IdxReader.looksLikeIdx(plain)
          ? IdxReader.read("fuzz.gz", plain, "labels", labels)
          : DataSources.csv("fuzz.gz", plain);
    }).ifPresent(LoaderChecks::checkDataset);
  }
}
