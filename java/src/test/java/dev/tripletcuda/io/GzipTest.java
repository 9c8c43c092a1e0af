package dev.tripletcuda.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GzipTest {

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  @Test
  void decompressGivesTheOriginalBytesAtAwkwardSizes() throws IOException {
    SplittableRandom r = new SplittableRandom(5);
    for (int n : new int[] {0, 1, 31, 33, 257, 65535, 65537, 300_001}) {
      byte[] raw = new byte[n];
      for (int i = 0; i < n; i++) {
        // Half random, half runs: both stored and compressed deflate blocks.
        raw[i] = (byte) (i % 1024 < 512 ? r.nextInt(256) : i / 1024);
      }
      assertArrayEquals(raw, Gzip.decompress("x.gz", gzip(raw), Gzip.MAX_ARRAY), "n=" + n);
    }
  }

  @Test
  void concatenatedMembersAreJoined() throws IOException {
    byte[] a = gzip("1,2,a\n".getBytes());
    byte[] b = gzip("3,4,b\n".getBytes());
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    assertEquals("1,2,a\n3,4,b\n", new String(Gzip.decompress("x.gz", both, 1 << 20)));
  }

  @Test
  void outputBeyondTheLimitIsRefusedBeforeItIsHeld() throws IOException {
    byte[] bomb = gzip(new byte[1 << 20]);
    InvalidDataException e = assertThrows(InvalidDataException.class,
        () -> Gzip.decompress("bomb.gz", bomb, 1000));
    assertTrue(e.getMessage().startsWith("bomb.gz: gzip byte "), e.getMessage());
    assertTrue(e.getMessage().contains("decompresses to more than 1000 bytes"),
        e.getMessage());
  }

  @Test
  void everyTruncationIsReportedAsTruncatedOrCorrupt() throws IOException {
    byte[] gz = gzip("1,2,a\n3,4,b\n5,6,a\n".getBytes());
    for (int n = 2; n < gz.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(gz, n);
      InvalidDataException e = assertThrows(InvalidDataException.class,
          () -> Gzip.decompress("cut.gz", cut, 1 << 20), "length " + n);
      assertTrue(e.place().startsWith("gzip byte "), e.getMessage());
    }
  }
}
