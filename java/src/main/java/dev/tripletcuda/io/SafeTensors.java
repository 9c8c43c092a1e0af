package dev.tripletcuda.io;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format, float32 and int32 tensors: an 8-byte little-endian header length, a JSON
 * header mapping each tensor name to its dtype, shape and byte range, an optional
 * {@code __metadata__} object of strings, then the little-endian data.
 *
 * <p>Reading is as strict as the format's reference implementation: the header is one JSON
 * object without duplicate keys, and the tensors' byte ranges, taken in order, tile the data
 * exactly, with no gap, overlap or trailing bytes.
 */
public final class SafeTensors {

  /** Largest header accepted, as the reference implementation does. */
  static final long MAX_HEADER = 100L << 20;

  /** The header key of the metadata object. */
  public static final String METADATA_KEY = "__metadata__";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private SafeTensors() {}

  /**
   * One tensor: its shape and its values, row-major; F32 in {@code values} or I32 in
   * {@code ints}, exactly one of them set.
   */
  public record Entry(long[] shape, float[] values, int[] ints) {
    public Entry {
      requireNonNull("shape", shape);
      if ((values == null) == (ints == null)) {
        throw new IllegalArgumentException("values=" + (values == null ? "null" : "float[]")
            + ", ints=" + (ints == null ? "null" : "int[]")
            + ", expected exactly one of them (F32 or I32)");
      }
      int length = values != null ? values.length : ints.length;
      long n = 1;
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] < 0) {
          throw new IllegalArgumentException("shape[" + i + "]=" + shape[i]
              + ", expected a size >= 0");
        }
        n = elementsTimes(n, shape[i]);
      }
      if (n != length) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds "
            + (n == Long.MAX_VALUE ? "too many" : Long.toString(n)) + " values, got "
            + length);
      }
    }

    /** An F32 tensor. */
    public Entry(long[] shape, float[] values) {
      this(shape, requireNonNull("values", values), null);
    }

    /** An I32 tensor. */
    public static Entry ints(long[] shape, int[] ints) {
      return new Entry(shape, null, requireNonNull("ints", ints));
    }

    /** "F32" or "I32". */
    public String dtype() {
      return values != null ? "F32" : "I32";
    }

    /** Number of elements. */
    public int length() {
      return values != null ? values.length : ints.length;
    }
  }

  /** A file's tensors in file order, and its metadata. */
  public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {}

  /**
   * Writes tensors (in the map's order) and metadata to {@code path} atomically.
   *
   * @param metadata string entries; null for none
   */
  public static void write(Path path, Map<String, Entry> tensors, Map<String, String> metadata)
      throws IOException {
    requireNonNull("path", path);
    byte[] head = header(tensors, metadata);
    AtomicFiles.write(path, out -> writeTo(out, head, tensors));
  }

  /** The same bytes as {@link #write}, to a stream. */
  static void writeTo(OutputStream out, Map<String, Entry> tensors,
      Map<String, String> metadata) throws IOException {
    writeTo(out, header(tensors, metadata), tensors);
  }

  private static void writeTo(OutputStream out, byte[] head, Map<String, Entry> tensors)
      throws IOException {
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    len.putLong(head.length);
    out.write(len.array());
    out.write(head);
    for (Entry e : tensors.values()) {
      if (e.values() != null) {
        writeFloats(out, e.values());
      } else {
        writeInts(out, e.ints());
      }
    }
  }

  /** The JSON header, padded with spaces so that the data starts 8-byte aligned. */
  private static byte[] header(Map<String, Entry> tensors, Map<String, String> metadata)
      throws IOException {
    requireNonNull("tensors", tensors);
    ObjectNode header = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject(METADATA_KEY);
      metadata.forEach((k, v) -> {
        if (k == null || v == null) {
          throw new IllegalArgumentException("metadata entry " + k + "=" + v
              + ", expected a string key and a string value");
        }
        meta.put(k, v);
      });
    }
    long offset = 0;
    for (Map.Entry<String, Entry> e : tensors.entrySet()) {
      if (e.getKey() == null || e.getKey().equals(METADATA_KEY) || e.getValue() == null) {
        throw new IllegalArgumentException("tensor " + e.getKey() + "=" + e.getValue()
            + ", expected a name other than " + METADATA_KEY + " and a tensor");
      }
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", e.getValue().dtype());
      ArrayNode shape = t.putArray("shape");
      for (long s : e.getValue().shape()) {
        shape.add(s);
      }
      long size = 4L * e.getValue().length();
      t.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] head = Arrays.copyOf(json, padded);
    Arrays.fill(head, json.length, padded, (byte) ' ');
    return head;
  }

  /** Writes values as little-endian float32, buffered. */
  static void writeFloats(OutputStream out, float[] values) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      if (!buf.hasRemaining()) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      buf.putFloat(v);
    }
    out.write(buf.array(), 0, buf.position());
  }

  private static void writeInts(OutputStream out, int[] values) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      if (!buf.hasRemaining()) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      buf.putInt(v);
    }
    out.write(buf.array(), 0, buf.position());
  }

  /**
   * Whether a path is a file that starts like safetensors: a plausible header length, then
   * '{'. Reads 9 bytes; false for folders and unreadable files.
   */
  public static boolean looksLike(Path path) {
    requireNonNull("path", path);
    if (!Files.isRegularFile(path)) {
      return false;
    }
    try (java.io.InputStream in = Files.newInputStream(path)) {
      byte[] head = in.readNBytes(9);
      if (head.length < 9) {
        return false;
      }
      long len = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      return len >= 2 && len <= MAX_HEADER && len <= Files.size(path) - 8 && head[8] == '{';
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads a file; any fault is an {@link InvalidDataException} naming the place. */
  public static Contents read(Path path) {
    requireNonNull("path", path);
    return parse(path.toString(), DataSources.readFile(path));
  }

  /** Parses safetensors bytes; any fault is an {@link InvalidDataException}. */
  public static Contents parse(String name, byte[] bytes) {
    requireNonNull("name", name);
    requireNonNull("bytes", bytes);
    if (bytes.length < 8) {
      throw new InvalidDataException(name, "byte 0", "file of " + bytes.length
          + " bytes is shorter than the 8-byte header length");
    }
    long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > bytes.length - 8L) {
      throw new InvalidDataException(name, "byte 0", "header length " + Long.toUnsignedString(
          headerLen) + " is impossible for a file of " + bytes.length + " bytes (not "
          + "safetensors, or truncated)");
    }
    JsonNode header;
    try {
      header = JSON.readTree(bytes, 8, (int) headerLen);
    } catch (JsonProcessingException e) {
      long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
      throw new InvalidDataException(name, "byte " + (8 + Math.max(0, at)),
          "header is not valid JSON: " + oneLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new InvalidDataException(name, "byte 8", "header cannot be read: "
          + oneLine(e.getMessage()), e);
    }
    if (header == null || !header.isObject()) {
      throw new InvalidDataException(name, "byte 8", "header is not a JSON object");
    }

    long dataStart = 8 + headerLen;
    long dataLen = bytes.length - dataStart;
    Map<String, long[]> ranges = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Map<String, String> dtypes = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String key = f.getKey();
      JsonNode v = f.getValue();
      if (key.equals(METADATA_KEY)) {
        metadata(name, v, metadata);
        continue;
      }
      String where = "tensor " + InvalidDataException.quote(key);
      dtypes.put(key, dtype(name, where, v));
      shapes.put(key, shape(name, where, v));
      ranges.put(key, range(name, where, v, shapes.get(key), dataLen));
    }
    checkTiling(name, ranges, dataStart, dataLen);

    Map<String, Entry> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> r : ranges.entrySet()) {
      long begin = r.getValue()[0];
      long end = r.getValue()[1];
      ByteBuffer data = ByteBuffer.wrap(bytes, (int) (dataStart + begin), (int) (end - begin))
          .order(ByteOrder.LITTLE_ENDIAN);
      long[] shape = shapes.get(r.getKey());
      if (dtypes.get(r.getKey()).equals("I32")) {
        int[] ints = new int[(int) ((end - begin) / 4)];
        data.asIntBuffer().get(ints);
        tensors.put(r.getKey(), Entry.ints(shape, ints));
      } else {
        float[] values = new float[(int) ((end - begin) / 4)];
        data.asFloatBuffer().get(values);
        tensors.put(r.getKey(), new Entry(shape, values));
      }
    }
    return new Contents(tensors, metadata);
  }

  private static void metadata(String name, JsonNode v, Map<String, String> out) {
    if (!v.isObject()) {
      throw new InvalidDataException(name, "header key " + METADATA_KEY,
          "is not an object of strings");
    }
    v.fields().forEachRemaining(m -> {
      if (!m.getValue().isTextual()) {
        throw new InvalidDataException(name, "header key " + METADATA_KEY, "entry "
            + InvalidDataException.quote(m.getKey()) + " is not a string");
      }
      out.put(m.getKey(), m.getValue().asText());
    });
  }

  /** The tensor's dtype, F32 or I32. */
  private static String dtype(String name, String where, JsonNode v) {
    if (!v.isObject()) {
      throw new InvalidDataException(name, where, "entry is not an object");
    }
    JsonNode dtype = v.get("dtype");
    if (dtype == null) {
      throw new InvalidDataException(name, where, "has no dtype");
    }
    if (!dtype.isTextual()) {
      throw new InvalidDataException(name, where, "dtype "
          + InvalidDataException.quote(dtype.toString()) + " is not a string such as F32");
    }
    if (!dtype.asText().equals("F32") && !dtype.asText().equals("I32")) {
      throw new InvalidDataException(name, where, "dtype "
          + InvalidDataException.quote(dtype.asText())
          + " is not supported, expected F32 (or I32)");
    }
    return dtype.asText();
  }

  /** The tensor's shape. */
  private static long[] shape(String name, String where, JsonNode v) {
    JsonNode shapeNode = v.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new InvalidDataException(name, where, "has no shape array");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode s = shapeNode.get(i);
      if (!s.isIntegralNumber() || !s.canConvertToLong() || s.asLong() < 0) {
        throw new InvalidDataException(name, where, "shape entry " + i + " ("
            + InvalidDataException.quote(s.toString()) + ") is not a size >= 0");
      }
      shape[i] = s.asLong();
    }
    return shape;
  }

  /** The tensor's byte range [begin, end) in the data, checked against its shape. */
  private static long[] range(String name, String where, JsonNode v, long[] shape,
      long dataLen) {
    JsonNode offsets = v.get("data_offsets");
    if (offsets == null || !offsets.isArray() || offsets.size() != 2
        || !offsets.get(0).isIntegralNumber() || !offsets.get(0).canConvertToLong()
        || !offsets.get(1).isIntegralNumber() || !offsets.get(1).canConvertToLong()) {
      throw new InvalidDataException(name, where, "data_offsets is not [begin, end]");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (end < begin) {
      throw new InvalidDataException(name, where, "data_offsets [" + begin + ", " + end
          + "] end before they begin");
    }
    if (begin < 0 || end > dataLen) {
      throw new InvalidDataException(name, where, "data_offsets [" + begin + ", " + end
          + "] lie outside the " + dataLen + " data bytes (file truncated?)");
    }
    long count = 1;
    for (long s : shape) {
      count = elementsTimes(count, s);
    }
    if (count > Integer.MAX_VALUE - 8 || end - begin != 4 * count) {
      throw new InvalidDataException(name, where, "shape " + Arrays.toString(shape)
          + " needs " + (count > Integer.MAX_VALUE - 8 ? "too many" : 4 * count)
          + " bytes, data_offsets give " + (end - begin));
    }
    return new long[] {begin, end};
  }

  /** Ranges sorted by begin must follow one another from 0 to the end of the data. */
  private static void checkTiling(String name, Map<String, long[]> ranges, long dataStart,
      long dataLen) {
    List<Map.Entry<String, long[]>> sorted = new ArrayList<>(ranges.entrySet());
    sorted.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0])
        .thenComparingLong(e -> e.getValue()[1]));
    long expected = 0;
    String previous = null;
    for (Map.Entry<String, long[]> e : sorted) {
      long begin = e.getValue()[0];
      if (begin != expected) {
        String where = "tensor " + InvalidDataException.quote(e.getKey());
        throw new InvalidDataException(name, where, begin < expected
            ? "data_offsets begin at " + begin + ", inside the bytes of tensor "
                + InvalidDataException.quote(previous) + " (which end at " + expected + ")"
            : "data_offsets begin at " + begin + ", leaving bytes [" + expected + ", " + begin
                + ") of the data to no tensor");
      }
      expected = e.getValue()[1];
      previous = e.getKey();
    }
    if (expected != dataLen) {
      throw new InvalidDataException(name, "byte " + (dataStart + expected),
          (dataLen - expected) + " data bytes after the last tensor belong to no tensor");
    }
  }

  /** n * size for element counts, saturating at Long.MAX_VALUE; a zero size gives 0. */
  private static long elementsTimes(long n, long size) {
    if (n == 0 || size == 0) {
      return 0;
    }
    return n > Long.MAX_VALUE / size ? Long.MAX_VALUE : n * size;
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }
}
