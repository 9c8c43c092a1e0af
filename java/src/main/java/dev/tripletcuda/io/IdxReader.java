package dev.tripletcuda.io;

import dev.tripletcuda.backend.Shapes;
import static dev.tripletcuda.backend.Shapes.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads MNIST's IDX format: two zero bytes, a type code (0x08, unsigned byte, is the one
 * supported), the number of dimensions n, n big-endian 32-bit sizes, then the values. An images
 * file has n &gt;= 2 (count, then the shape of one sample); a labels file has n = 1.
 */
public final class IdxReader {

  /** The only element type read: unsigned byte. */
  public static final int TYPE_UBYTE = 0x08;

  private IdxReader() {}

  /** The header of an IDX file. */
  record Header(int type, int[] dims, int dataOffset) {
    long count() {
      return dims[0];
    }

    long sampleSize() {
      long size = 1;
      for (int i = 1; i < dims.length; i++) {
        size *= dims[i];
      }
      return size;
    }
  }

  /** Whether the bytes start like an IDX file (used to tell IDX from CSV). */
  static boolean looksLikeIdx(byte[] bytes) {
    return bytes.length >= 4 && bytes[0] == 0 && bytes[1] == 0
        && (bytes[2] & 0xFF) >= 0x08 && (bytes[2] & 0xFF) <= 0x0E
        && bytes[3] >= 1 && bytes[3] <= 8;
  }

  static Header header(String name, byte[] bytes, int expectedDims) {
    if (bytes.length == 0) {
      throw new InvalidDataException(name, null, "the file is empty");
    }
    if (bytes.length < 4) {
      throw new InvalidDataException(name, "byte " + bytes.length,
          "file ends inside the 4-byte magic number");
    }
    int magic = readInt(bytes, 0);
    int type = bytes[2] & 0xFF;
    int n = bytes[3] & 0xFF;
    if (bytes[0] != 0 || bytes[1] != 0 || n == 0) {
      throw new InvalidDataException(name, "byte 0", String.format(
          "magic number 0x%08X is not IDX (expected 0x00000803 for images or 0x00000801 "
              + "for labels)", magic));
    }
    if (type != TYPE_UBYTE) {
      throw new InvalidDataException(name, "byte 2", String.format(
          "element type 0x%02X is not supported, expected 0x08 (unsigned byte)", type));
    }
    if (expectedDims == 1 && n != 1) {
      throw new InvalidDataException(name, "byte 3", String.format(
          "magic number 0x%08X declares %d dimensions; a labels file has 1 (0x00000801)",
          magic, n));
    }
    if (expectedDims > 1 && n < 2) {
      throw new InvalidDataException(name, "byte 3", String.format(
          "magic number 0x%08X declares %d dimension; an images file has at least 2 "
              + "(0x00000803 for count x rows x columns)", magic, n));
    }
    int dataOffset = 4 + 4 * n;
    if (bytes.length < dataOffset) {
      throw new InvalidDataException(name, "byte " + bytes.length, "file ends inside the "
          + "header, which declares " + n + " dimension sizes (" + dataOffset + " bytes)");
    }
    int[] dims = new int[n];
    for (int i = 0; i < n; i++) {
      dims[i] = readInt(bytes, 4 + 4 * i);
      if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
        throw new InvalidDataException(name, "byte " + (4 + 4 * i), "dimension " + i
            + " has size " + Integer.toUnsignedString(dims[i]) + ", expected a size >= 1");
      }
    }
    if (dims[0] == 0) {
      throw new InvalidDataException(name, "byte 4", "the header declares 0 samples");
    }

    // Sizes multiply in long with a ceiling, so that many large dimensions cannot wrap around.
    long ceiling = Integer.MAX_VALUE - 8L - dataOffset;
    long need = 1;
    for (int i = 0; i < n && need <= ceiling; i++) {
      need *= dims[i];
    }
    if (need > ceiling) {
      throw new InvalidDataException(name, "byte 4", "declared sizes " + dimsText(dims)
          + " are too large for one array");
    }
    long have = bytes.length - (long) dataOffset;
    if (have < need) {
      throw new InvalidDataException(name, "byte " + bytes.length, "truncated: the header "
          + "declares " + dimsText(dims) + " = " + need + " data bytes after byte "
          + dataOffset + ", the file has " + have);
    }
    if (have > need) {
      throw new InvalidDataException(name, "byte " + (dataOffset + need), (have - need)
          + " bytes beyond the " + need + " data bytes the header declares "
          + dimsText(dims));
    }
    return new Header(type, dims, dataOffset);
  }

  /**
   * Reads an images file and its labels file into a dataset of kind BYTES.
   *
   * @param imagesName name of the images file, for messages
   * @param labelsName name of the labels file, for messages
   */
  public static Dataset read(String imagesName, byte[] images, String labelsName,
      byte[] labels) {
    requireNonNull("imagesName", imagesName);
    requireNonNull("images", images);
    requireNonNull("labelsName", labelsName);
    requireNonNull("labels", labels);
    Header hi = header(imagesName, images, 3);
    Header hl = header(labelsName, labels, 1);
    if (hi.count() != hl.count()) {
      throw new InvalidDataException(labelsName, "byte 4", "holds " + hl.count()
          + " labels but " + imagesName + " holds " + hi.count() + " images");
    }
    int rows = (int) hi.count();
    int dim = (int) hi.sampleSize();
    float[] features = pixels(hi, images);

    // Class names: the label values present, numerically ordered.
    Set<String> present = new LinkedHashSet<>();
    for (int i = 0; i < rows; i++) {
      present.add(Integer.toString(labels[hl.dataOffset() + i] & 0xFF));
    }
    List<String> names = new ArrayList<>(Dataset.sortedNames(present));
    int[] idOf = new int[256];
    for (int c = 0; c < names.size(); c++) {
      idOf[Integer.parseInt(names.get(c))] = c;
    }
    int[] ids = new int[rows];
    for (int i = 0; i < rows; i++) {
      ids[i] = idOf[labels[hl.dataOffset() + i] & 0xFF];
    }
    return new Dataset(imagesName, Dataset.Kind.BYTES, features, rows, dim, ids, names,
        imageShape(hi));
  }

  /**
   * Reads an images file without labels: every row gets class id 0 of the single class name
   * {@link Samples#UNLABELLED}.
   */
  public static Dataset readImages(String imagesName, byte[] images) {
    Shapes.requireNonNull("imagesName", imagesName);
    Shapes.requireNonNull("images", images);
    Header hi = header(imagesName, images, 3);
    int rows = (int) hi.count();
    return new Dataset(imagesName, Dataset.Kind.BYTES, pixels(hi, images), rows,
        (int) hi.sampleSize(), new int[rows], List.of(Samples.UNLABELLED), imageShape(hi));
  }

  private static float[] pixels(Header h, byte[] images) {
    float[] features = new float[(int) (h.count() * h.sampleSize())];
    for (int i = 0; i < features.length; i++) {
      features[i] = images[h.dataOffset() + i] & 0xFF;
    }
    return features;
  }

  private static int[] imageShape(Header h) {
    return h.dims().length == 3 ? new int[] {h.dims()[1], h.dims()[2]} : null;
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8)
        | (b[at + 3] & 0xFF);
  }

  private static String dimsText(int[] dims) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      s.append(i == 0 ? "" : " x ").append(Integer.toUnsignedString(dims[i]));
    }
    return s.toString();
  }
}
