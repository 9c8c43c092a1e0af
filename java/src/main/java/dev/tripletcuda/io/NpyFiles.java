package dev.tripletcuda.io;

import dev.tripletcuda.backend.Shapes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format for float32 matrices, version 1.0: the magic {@code \x93NUMPY},
 * the version bytes 1 and 0, a 2-byte little-endian header length, then an ASCII Python dict
 * ({@code descr}, {@code fortran_order}, {@code shape}) padded with spaces and ended by a newline
 * so that the data starts at a multiple of 64 bytes, then the values.
 *
 * <p>Written: {@code '<f4'}, C order, shape (N, D). Read: {@code '<f4'} or {@code '<f8'}
 * (narrowed to float32), C order, one or two dimensions; a 1-D array of n values reads as
 * (n, 1). {@code numpy.load} reads what {@link #write} writes, and {@link #read} reads what
 * {@code numpy.save} writes for such arrays.
 */
public final class NpyFiles {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** Bytes before the header text: magic, two version bytes, the 2-byte length. */
  private static final int PREAMBLE = 10;

  /** Headers are padded so that the data begins at a multiple of this. */
  static final int ALIGN = 64;

  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(\\w+)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private NpyFiles() {}

  /** A matrix read from a file: values (rows, cols) row-major. */
  public record Matrix(float[] values, int rows, int cols) {}

  /**
   * Writes values (rows, cols) row-major as a float32 {@code .npy} file, atomically.
   *
   * @throws IllegalArgumentException when values does not hold rows * cols numbers
   */
  public static void write(Path path, float[] values, int rows, int cols) throws IOException {
    Shapes.requireNonNull("path", path);
    Shapes.requireNonNull("values", values);
    if (rows < 0 || cols < 0 || values.length != (long) rows * cols) {
      throw new IllegalArgumentException("values has " + values.length + " elements, expected "
          + "rows x cols = " + rows + " x " + cols);
    }
    byte[] header = header(rows, cols);
    AtomicFiles.write(path, out -> {
      out.write(header);
      SafeTensors.writeFloats(out, values);
    });
  }

  /** The preamble and padded header of a (rows, cols) float32 C-order array. */
  static byte[] header(int rows, int cols) {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols
        + "), }";
    // Spaces, then the newline, up to the next multiple of ALIGN.
    int unpadded = PREAMBLE + dict.length() + 1;
    int total = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
    StringBuilder text = new StringBuilder(dict);
    while (PREAMBLE + text.length() + 1 < total) {
      text.append(' ');
    }
    text.append('\n');
    byte[] out = new byte[total];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    out[6] = 1;
    out[7] = 0;
    int len = text.length();
    out[8] = (byte) (len & 0xFF);
    out[9] = (byte) (len >>> 8);
    byte[] ascii = text.toString().getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(ascii, 0, out, PREAMBLE, ascii.length);
    return out;
  }

  /** Reads a float32 or float64 array of one or two dimensions; faults name the byte. */
  public static Matrix read(Path path) {
    Shapes.requireNonNull("path", path);
    return parse(path.toString(), DataSources.readFile(path));
  }

  /** Parses {@code .npy} bytes. */
  public static Matrix parse(String name, byte[] bytes) {
    Shapes.requireNonNull("name", name);
    Shapes.requireNonNull("bytes", bytes);
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes.length <= i || bytes[i] != MAGIC[i]) {
        throw new InvalidDataException(name, "byte " + i, "not a .npy file (it does not start "
            + "with \\x93NUMPY)");
      }
    }
    if (bytes.length < PREAMBLE) {
      throw new InvalidDataException(name, "byte " + bytes.length, "file ends inside the "
          + "10-byte preamble");
    }
    int major = bytes[6] & 0xFF;
    int headerLen;
    int textStart;
    if (major == 1) {
      headerLen = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
      textStart = PREAMBLE;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new InvalidDataException(name, "byte " + bytes.length, "file ends inside the "
            + "12-byte preamble of version " + major);
      }
      long len = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()
          & 0xFFFFFFFFL;
      headerLen = (int) Math.min(len, Integer.MAX_VALUE);
      textStart = 12;
    } else {
      throw new InvalidDataException(name, "byte 6", "format version " + major + "."
          + (bytes[7] & 0xFF) + " is not supported, expected 1.0, 2.0 or 3.0");
    }
    long dataStart = (long) textStart + headerLen;
    if (dataStart > bytes.length) {
      throw new InvalidDataException(name, "byte " + bytes.length, "file ends inside the "
          + headerLen + "-byte header (truncated)");
    }
    String header = new String(bytes, textStart, headerLen, StandardCharsets.ISO_8859_1);

    String descr = field(name, header, DESCR, "descr");
    int width;
    if (descr.equals("<f4") || descr.equals("|f4")) {
      width = 4;
    } else if (descr.equals("<f8")) {
      width = 8;
    } else {
      throw new InvalidDataException(name, "header", "dtype '" + descr + "' is not supported, "
          + "expected '<f4' (float32) or '<f8' (float64)");
    }
    if (!field(name, header, FORTRAN, "fortran_order").equals("False")) {
      throw new InvalidDataException(name, "header", "fortran_order is True, expected a "
          + "C-order array (numpy.ascontiguousarray before saving)");
    }
    long[] shape = shape(name, field(name, header, SHAPE, "shape"));
    long rows = shape.length == 0 ? 1 : shape[0];
    long cols = shape.length < 2 ? 1 : shape[1];
    long count = rows * cols;
    if (count > Integer.MAX_VALUE - 8) {
      throw new InvalidDataException(name, "header", "shape (" + rows + ", " + cols
          + ") holds more values than one array can (2^31 - 9)");
    }
    long need = count * width;
    long have = bytes.length - dataStart;
    if (have != need) {
      throw new InvalidDataException(name, "byte " + dataStart, "shape (" + rows + ", " + cols
          + ") of " + descr + " needs " + need + " data bytes, the file has " + have
          + (have < need ? " (truncated)" : ""));
    }

    float[] values = new float[(int) count];
    ByteBuffer data = ByteBuffer.wrap(bytes, (int) dataStart, (int) need)
        .order(ByteOrder.LITTLE_ENDIAN);
    if (width == 4) {
      data.asFloatBuffer().get(values);
    } else {
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) data.getDouble();
      }
    }
    return new Matrix(values, (int) rows, (int) cols);
  }

  private static String field(String name, String header, Pattern p, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new InvalidDataException(name, "header", "has no '" + key + "' entry: "
          + header.trim());
    }
    return m.group(1).trim();
  }

  private static long[] shape(String name, String text) {
    String[] parts = text.split(",");
    int dims = 0;
    long[] shape = new long[parts.length];
    for (String part : parts) {
      String s = part.trim();
      if (s.isEmpty()) {
        continue;
      }
      try {
        shape[dims] = Long.parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
      } catch (NumberFormatException e) {
        throw new InvalidDataException(name, "header", "shape entry '" + s
            + "' is not a whole number");
      }
      if (shape[dims] < 0 || shape[dims] > Integer.MAX_VALUE) {
        throw new InvalidDataException(name, "header", "shape entry " + s + " is out of range");
      }
      dims++;
    }
    if (dims > 2) {
      throw new InvalidDataException(name, "header", "shape (" + text.trim() + ") has " + dims
          + " dimensions, expected 1 or 2");
    }
    return java.util.Arrays.copyOf(shape, dims);
  }
}
