package dev.tripletcuda.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyFilesTest {

  @Test
  void writeProducesNumpysOwnLayout(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("e.npy");
    NpyFiles.write(f, new float[] {1, 2, 3, 4, 5, -6.5f}, 3, 2);
    byte[] b = Files.readAllBytes(f);

    // numpy.save's layout for np.float32 of shape (3, 2), format 1.0, without the spare spaces
    // numpy 1.24 adds so that the header can grow in place (both are valid headers).
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
    StringBuilder header = new StringBuilder(dict);
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteArrayOutputStream want = new ByteArrayOutputStream();
    want.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    want.write(header.length() & 0xFF);
    want.write(header.length() >> 8);
    want.write(header.toString().getBytes(StandardCharsets.US_ASCII));
    ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : new float[] {1, 2, 3, 4, 5, -6.5f}) {
      data.putFloat(v);
    }
    want.write(data.array());
    assertArrayEquals(want.toByteArray(), b);
    assertEquals(128, 10 + header.length());
  }

  @Test
  void headersStayAlignedForLargeShapes() {
    byte[] h = NpyFiles.header(1234567, 89);
    assertEquals(0, h.length % 64);
    assertEquals('\n', h[h.length - 1]);
  }

  @Test
  void readTakesBackWhatWriteWrote(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("e.npy");
    float[] v = new float[7 * 5];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.25f - 3;
    }
    NpyFiles.write(f, v, 7, 5);
    NpyFiles.Matrix m = NpyFiles.read(f);
    assertEquals(7, m.rows());
    assertEquals(5, m.cols());
    assertArrayEquals(v, m.values());
    NpyFiles.write(f, new float[0], 0, 5);
    assertEquals(0, NpyFiles.read(f).rows());
  }

  @Test
  void readAcceptsFloat64AndOneDimension() {
    byte[] b = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 24);
    ByteBuffer.wrap(b, b.length - 24, 24).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.5)
        .putDouble(-2).putDouble(1e-3);
    NpyFiles.Matrix m = NpyFiles.parse("x.npy", b);
    assertEquals(3, m.rows());
    assertEquals(1, m.cols());
    assertArrayEquals(new float[] {1.5f, -2, 1e-3f}, m.values());
  }

  @Test
  void badFilesAreClearErrors() {
    InvalidDataException magic = assertThrows(InvalidDataException.class,
        () -> NpyFiles.parse("x.npy", "hello world".getBytes(StandardCharsets.US_ASCII)));
    assertTrue(magic.getMessage().startsWith("x.npy: byte 0: not a .npy file"),
        magic.getMessage());
    byte[] good = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 16);
    InvalidDataException cut = assertThrows(InvalidDataException.class,
        () -> NpyFiles.parse("x.npy", Arrays.copyOf(good, good.length - 1)));
    assertTrue(cut.getMessage().contains("(truncated)"), cut.getMessage());
    assertThrows(InvalidDataException.class,
        () -> NpyFiles.parse("x.npy", Arrays.copyOf(good, 30)));
    InvalidDataException type = assertThrows(InvalidDataException.class, () -> NpyFiles.parse(
        "x.npy", npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", 16)));
    assertTrue(type.getMessage().contains("dtype '<i4' is not supported"), type.getMessage());
    assertThrows(InvalidDataException.class, () -> NpyFiles.parse("x.npy",
        npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16)));
    InvalidDataException dims = assertThrows(InvalidDataException.class, () -> NpyFiles.parse(
        "x.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", 16)));
    assertTrue(dims.getMessage().contains("has 3 dimensions"), dims.getMessage());
    assertFalse(Files.exists(Path.of("x.npy")));
  }

  @Test
  void writeChecksTheShape(@TempDir Path dir) {
    Path f = dir.resolve("e.npy");
    assertThrows(IllegalArgumentException.class, () -> NpyFiles.write(f, new float[5], 2, 3));
    assertFalse(Files.exists(f));
  }

  /** A version 1.0 file with the given header dict and room for dataBytes of zeros. */
  private static byte[] npy(String dict, int dataBytes) {
    StringBuilder h = new StringBuilder(dict);
    while ((10 + h.length() + 1) % 64 != 0) {
      h.append(' ');
    }
    h.append('\n');
    byte[] out = new byte[10 + h.length() + dataBytes];
    byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    System.arraycopy(magic, 0, out, 0, 8);
    out[8] = (byte) h.length();
    out[9] = (byte) (h.length() >> 8);
    byte[] text = h.toString().getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, out, 10, text.length);
    return out;
  }
}
