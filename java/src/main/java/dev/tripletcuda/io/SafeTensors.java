package dev.tripletcuda.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format, float32 tensors only: an 8-byte little-endian header length, a JSON
 * header mapping each tensor name to its dtype, shape and byte range, an optional
 * {@code __metadata__} object of strings, then the little-endian data.
 */
public final class SafeTensors {

  /** Largest header accepted, as the reference implementation does. */
  static final long MAX_HEADER = 100L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private SafeTensors() {}

  /** One tensor: its shape and its values, row-major. */
  public record Entry(long[] shape, float[] values) {
    public Entry {
      long n = 1;
      for (long s : shape) {
        if (s < 0) {
          throw new IllegalArgumentException("negative size in shape");
        }
        n *= s;
      }
      if (n != values.length) {
        throw new IllegalArgumentException("shape holds " + n + " values, got "
            + values.length);
      }
    }
  }

  /** A file's tensors in file order, and its metadata. */
  public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {}

  /** Writes tensors (in the map's order) and metadata to {@code path} atomically. */
  public static void write(Path path, Map<String, Entry> tensors, Map<String, String> metadata)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, Entry> e : tensors.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", "F32");
      ArrayNode shape = t.putArray("shape");
      for (long s : e.getValue().shape()) {
        shape.add(s);
      }
      long size = 4L * e.getValue().values().length;
      t.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    // Pad the header with spaces so the data starts 8-byte aligned, as the format advises.
    int padded = (json.length + 7) / 8 * 8;
    byte[] head = new byte[padded];
    System.arraycopy(json, 0, head, 0, json.length);
    for (int i = json.length; i < padded; i++) {
      head[i] = ' ';
    }
    AtomicFiles.write(path, out -> {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      len.putLong(padded);
      out.write(len.array());
      out.write(head);
      for (Entry e : tensors.values()) {
        writeFloats(out, e.values());
      }
    });
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

  /**
   * Whether a path is a file that starts like safetensors: a plausible header length, then
   * '{'. Reads 9 bytes; false for folders and unreadable files.
   */
  public static boolean looksLike(Path path) {
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
    String name = path.toString();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new InvalidDataException(name, null, "no such file");
    } catch (IOException e) {
      throw new InvalidDataException(name, null, "cannot be read: " + e.getMessage(), e);
    }
    return parse(name, bytes);
  }

  /** Parses safetensors bytes. */
  public static Contents parse(String name, byte[] bytes) {
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
      header = JSON.readTree(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new InvalidDataException(name, "byte 8", "header is not valid JSON: "
          + e.getOriginalMessage());
    }
    if (header == null || !header.isObject()) {
      throw new InvalidDataException(name, "byte 8", "header is not a JSON object");
    }
    long dataStart = 8 + headerLen;
    long dataLen = bytes.length - dataStart;
    Map<String, Entry> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String key = f.getKey();
      JsonNode v = f.getValue();
      if (key.equals("__metadata__")) {
        if (!v.isObject()) {
          throw new InvalidDataException(name, "header", "__metadata__ is not an object");
        }
        v.fields().forEachRemaining(m -> {
          if (!m.getValue().isTextual()) {
            throw new InvalidDataException(name, "header", "metadata '" + m.getKey()
                + "' is not a string");
          }
          metadata.put(m.getKey(), m.getValue().asText());
        });
        continue;
      }
      tensors.put(key, tensor(name, key, v, bytes, dataStart, dataLen));
    }
    return new Contents(tensors, metadata);
  }

  private static Entry tensor(String name, String key, JsonNode v, byte[] bytes,
      long dataStart, long dataLen) {
    String where = "tensor '" + key + "'";
    if (!v.isObject()) {
      throw new InvalidDataException(name, where, "entry is not an object");
    }
    JsonNode dtype = v.get("dtype");
    if (dtype == null || !dtype.isTextual()) {
      throw new InvalidDataException(name, where, "has no dtype");
    }
    if (!dtype.asText().equals("F32")) {
      throw new InvalidDataException(name, where, "dtype " + dtype.asText()
          + " is not supported, expected F32");
    }
    JsonNode shapeNode = v.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new InvalidDataException(name, where, "has no shape array");
    }
    long[] shape = new long[shapeNode.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode s = shapeNode.get(i);
      if (!s.canConvertToLong() || !s.isIntegralNumber() || s.asLong() < 0) {
        throw new InvalidDataException(name, where, "shape entry " + i + " (" + s
            + ") is not a size >= 0");
      }
      shape[i] = s.asLong();
      count = Math.multiplyHigh(count, shape[i]) != 0 ? Long.MAX_VALUE : count * shape[i];
    }
    JsonNode offsets = v.get("data_offsets");
    if (offsets == null || !offsets.isArray() || offsets.size() != 2
        || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
      throw new InvalidDataException(name, where, "data_offsets is not [begin, end]");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin || end > dataLen) {
      throw new InvalidDataException(name, where, "data_offsets [" + begin + ", " + end
          + "] lie outside the " + dataLen + " data bytes (file truncated?)");
    }
    if (count > Integer.MAX_VALUE || end - begin != 4 * count) {
      throw new InvalidDataException(name, where, "shape " + java.util.Arrays.toString(shape)
          + " needs " + (count > Integer.MAX_VALUE ? "too many" : 4 * count)
          + " bytes, data_offsets give " + (end - begin));
    }
    float[] values = new float[(int) count];
    ByteBuffer.wrap(bytes, (int) (dataStart + begin), (int) (end - begin))
        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return new Entry(shape, values);
  }
}
