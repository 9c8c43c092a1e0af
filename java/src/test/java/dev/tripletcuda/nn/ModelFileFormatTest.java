package dev.tripletcuda.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.io.InvalidDataException;
import dev.tripletcuda.train.SplitMix64;
import dev.tripletcuda.verify.LogisticCalibration;
import dev.tripletcuda.verify.Verifier;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files against the safetensors format as its specification states it, written and read
 * here byte by byte, independently of the project's reader and writer.
 */
class ModelFileFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A safetensors file as PyTorch's {@code safetensors.torch.save_file} lays it out: the
   * metadata first, tensors in the order given with contiguous offsets from 0, the header
   * padded with spaces to a multiple of 8.
   */
  static byte[] safetensors(Map<String, long[]> shapes, Map<String, float[]> values,
      String dtypeOverride, Map<String, String> metadata) throws Exception {
    StringBuilder h = new StringBuilder("{");
    if (metadata != null) {
      h.append("\"__metadata__\":").append(JSON.writeValueAsString(metadata)).append(',');
    }
    long offset = 0;
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long bytes = 4L * values.get(e.getKey()).length;
      StringBuilder shape = new StringBuilder();
      for (long s : e.getValue()) {
        shape.append(shape.length() == 0 ? "" : ",").append(s);
      }
      parts.add("\"" + e.getKey() + "\":{\"dtype\":\"" + (dtypeOverride == null ? "F32"
          : dtypeOverride) + "\",\"shape\":[" + shape + "],\"data_offsets\":[" + offset + ","
          + (offset + bytes) + "]}");
      offset += bytes;
    }
    h.append(String.join(",", parts)).append('}');
    while (h.length() % 8 != 0) {
      h.append(' ');
    }
    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length)
        .array());
    out.write(header);
    for (String name : shapes.keySet()) {
      float[] v = values.get(name);
      ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      for (float x : v) {
        b.putFloat(x);
      }
      out.write(b.array());
    }
    return out.toByteArray();
  }

  /** A 3-4-2 network's tensors as PyTorch names them for ModuleList([Linear, Linear]). */
  private static Map<String, float[]> torchValues() {
    Map<String, float[]> v = new LinkedHashMap<>();
    v.put("layers.0.bias", new float[] {0.1f, -0.2f, 0.3f, 0});
    v.put("layers.0.weight", seq(12, 0.05f));
    v.put("layers.1.bias", new float[] {0.5f, -0.5f});
    v.put("layers.1.weight", seq(8, -0.1f));
    return v;
  }

  private static Map<String, long[]> torchShapes() {
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put("layers.0.bias", new long[] {4});
    s.put("layers.0.weight", new long[] {4, 3});
    s.put("layers.1.bias", new long[] {2});
    s.put("layers.1.weight", new long[] {2, 4});
    return s;
  }

  private static float[] seq(int n, float step) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i - n / 2) * step;
    }
    return v;
  }

  @Test
  void pytorchWeightsWrittenAsTheFormatSpecifiesLoad(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("torch.safetensors");
    Files.write(f, safetensors(torchShapes(), torchValues(), null, Map.of("format", "pt")));
    EmbeddingModel m = ModelFile.load(f);
    assertEquals("3-4-2", m.spec().describe());
    assertTrue(m.spec().normalize());
    float[] p = m.parameters();
    // Layer 0 weight (4, 3) then bias (4), layer 1 weight (2, 4) then bias (2).
    assertArrayEquals(torchValues().get("layers.0.weight"), Arrays.copyOfRange(p, 0, 12));
    assertArrayEquals(torchValues().get("layers.0.bias"), Arrays.copyOfRange(p, 12, 16));
    assertArrayEquals(torchValues().get("layers.1.weight"), Arrays.copyOfRange(p, 16, 24));
    assertArrayEquals(torchValues().get("layers.1.bias"), Arrays.copyOfRange(p, 24, 26));

    // The forward pass is the PyTorch one: relu(x W0^T + b0) W1^T + b1, then L2-normalised.
    float[] x = {1, 2, 3};
    double[] h = new double[4];
    float[] w0 = torchValues().get("layers.0.weight");
    float[] b0 = torchValues().get("layers.0.bias");
    for (int o = 0; o < 4; o++) {
      double s = b0[o];
      for (int i = 0; i < 3; i++) {
        s += w0[o * 3 + i] * x[i];
      }
      h[o] = Math.max(s, 0);
    }
    float[] w1 = torchValues().get("layers.1.weight");
    float[] b1 = torchValues().get("layers.1.bias");
    double[] y = new double[2];
    for (int o = 0; o < 2; o++) {
      y[o] = b1[o];
      for (int i = 0; i < 4; i++) {
        y[o] += w1[o * 4 + i] * h[i];
      }
    }
    double norm = Math.hypot(y[0], y[1]);
    try (CpuBackend backend = new CpuBackend(1)) {
      float[] e = new Embedder(m, backend).embed(x, 1);
      assertEquals(y[0] / norm, e[0], 1e-5);
      assertEquals(y[1] / norm, e[1], 1e-5);
    }
  }

  @Test
  void savedModelsFollowTheFormat(@TempDir Path dir) throws Exception {
    NetworkSpec spec = new NetworkSpec(3, new int[] {4, 2}, true);
    float[] params = Initializer.fanInUniform(spec, new SplitMix64(1));
    Verifier v = Verifier.of(new LogisticCalibration(2, -3), new LogisticCalibration(4, -5), 3);
    EmbeddingModel m = new EmbeddingModel(spec, params, new InputTransform(
        new float[] {0, 1, 2}, new float[] {255, 255, 2}), Map.of("seed", "7"))
        .withMetadata(v.toMetadata());
    Path f = dir.resolve("m.safetensors");
    ModelFile.save(m, f);

    byte[] b = Files.readAllBytes(f);
    long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned");
    JsonNode header = JSON.readTree(new String(b, 8, (int) n, StandardCharsets.UTF_8));
    long dataBytes = b.length - 8 - n;
    // Offsets cover the data exactly, back to back, as safetensors' loader demands.
    List<long[]> ranges = new ArrayList<>();
    Map<String, JsonNode> tensors = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        e.getValue().fields().forEachRemaining(mv -> assertTrue(mv.getValue().isTextual()));
        continue;
      }
      tensors.put(e.getKey(), e.getValue());
      assertEquals("F32", e.getValue().get("dtype").asText());
      ranges.add(new long[] {e.getValue().get("data_offsets").get(0).asLong(),
          e.getValue().get("data_offsets").get(1).asLong()});
    }
    ranges.sort((x, y) -> Long.compare(x[0], y[0]));
    long at = 0;
    for (long[] r : ranges) {
      assertEquals(at, r[0]);
      at = r[1];
    }
    assertEquals(dataBytes, at);
    assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight",
        "layers.1.bias", "input.offset", "input.scale"), new ArrayList<>(tensors.keySet()));
    assertEquals("[4,3]", tensors.get("layers.0.weight").get("shape").toString());
    assertEquals("[2]", tensors.get("layers.1.bias").get("shape").toString());
    JsonNode meta = header.get("__metadata__");
    assertEquals(ModelFile.FORMAT, meta.get("format").asText());
    assertEquals("3-4-2", meta.get("architecture").asText());
    assertTrue(meta.has(Verifier.PAIR_KEY));

    // The first weight's bytes are the parameters, little-endian.
    long w0 = tensors.get("layers.0.weight").get("data_offsets").get(0).asLong();
    assertEquals(params[0], ByteBuffer.wrap(b, (int) (8 + n + w0), 4)
        .order(ByteOrder.LITTLE_ENDIAN).getFloat());

    EmbeddingModel back = ModelFile.load(f);
    assertArrayEquals(params, back.parameters());
    assertEquals(m.fingerprint(), back.fingerprint());
    assertEquals(v.pairProbability(0.5),
        Verifier.fromModel(back).pairProbability(0.5));
    assertArrayEquals(new float[] {255, 255, 2}, back.input().scale());
  }

  @Test
  void truncatedAndCorruptFilesAreClearErrors(@TempDir Path dir) throws Exception {
    byte[] good = safetensors(torchShapes(), torchValues(), null, null);
    Path f = dir.resolve("bad.safetensors");

    Files.write(f, Arrays.copyOf(good, good.length - 5));
    InvalidDataException cut = assertThrows(InvalidDataException.class,
        () -> ModelFile.load(f));
    assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());

    Files.write(f, Arrays.copyOf(good, 5));
    assertThrows(InvalidDataException.class, () -> ModelFile.load(f));

    byte[] json = good.clone();
    json[9] = '!';
    Files.write(f, json);
    InvalidDataException corrupt = assertThrows(InvalidDataException.class,
        () -> ModelFile.load(f));
    assertTrue(corrupt.getMessage().contains("not valid JSON"), corrupt.getMessage());

    Files.write(f, "just text, not a model".getBytes(StandardCharsets.UTF_8));
    assertThrows(InvalidDataException.class, () -> ModelFile.load(f));

    InvalidDataException missing = assertThrows(InvalidDataException.class,
        () -> ModelFile.load(dir.resolve("absent.safetensors")));
    assertTrue(missing.getMessage().endsWith("no such file"), missing.getMessage());
  }

  @Test
  void mismatchedTensorsAreClearErrors(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("m.safetensors");

    Files.write(f, safetensors(torchShapes(), torchValues(), "F16", null));
    InvalidDataException f16 = assertThrows(InvalidDataException.class,
        () -> ModelFile.load(f));
    assertTrue(f16.getMessage().contains("dtype 'F16' is not supported"), f16.getMessage());

    Map<String, long[]> shapes = torchShapes();
    Map<String, float[]> values = torchValues();
    shapes.put("layers.1.weight", new long[] {2, 3});
    values.put("layers.1.weight", new float[6]);
    Files.write(f, safetensors(shapes, values, null, null));
    InvalidDataException chain = assertThrows(InvalidDataException.class,
        () -> ModelFile.load(f));
    assertTrue(chain.getMessage().contains("takes 3 inputs but layer 0 gives 4"),
        chain.getMessage());

    shapes = torchShapes();
    values = torchValues();
    shapes.put("layers.0.bias", new long[] {3});
    values.put("layers.0.bias", new float[3]);
    Files.write(f, safetensors(shapes, values, null, null));
    InvalidDataException bias = assertThrows(InvalidDataException.class,
        () -> ModelFile.load(f));
    assertTrue(bias.getMessage().contains("'layers.0.bias'"), bias.getMessage());

    shapes = torchShapes();
    values = torchValues();
    shapes.put("layers.0.weight", new long[] {4, 4});
    Files.write(f, safetensors(shapes, values, null, null));
    assertThrows(InvalidDataException.class, () -> ModelFile.load(f));

    Files.write(f, safetensors(torchShapes(), torchValues(), null,
        Map.of("architecture", "3-8-2")));
    InvalidDataException arch = assertThrows(InvalidDataException.class,
        () -> ModelFile.load(f));
    assertTrue(arch.getMessage().contains("says '3-8-2' but the weights are 3-4-2"),
        arch.getMessage());

    Map<String, long[]> other = new LinkedHashMap<>();
    other.put("fc.weight", new long[] {2, 2});
    Files.write(f, safetensors(other, Map.of("fc.weight", new float[4]), null, null));
    InvalidDataException none = assertThrows(InvalidDataException.class,
        () -> ModelFile.load(f));
    assertTrue(none.getMessage().contains("no tensor 'layers.0.weight'"), none.getMessage());

    shapes = torchShapes();
    values = torchValues();
    shapes.put("input.offset", new long[] {2});
    values.put("input.offset", new float[2]);
    shapes.put("input.scale", new long[] {3});
    values.put("input.scale", new float[] {1, 1, 1});
    Files.write(f, safetensors(shapes, values, null, null));
    InvalidDataException input = assertThrows(InvalidDataException.class,
        () -> ModelFile.load(f));
    assertTrue(input.getMessage().contains("'input.offset'"), input.getMessage());
  }

  @Test
  void aFailedSaveLeavesNoFile(@TempDir Path dir) {
    NetworkSpec spec = new NetworkSpec(3, new int[] {2}, false);
    EmbeddingModel m = new EmbeddingModel(spec, new float[8], InputTransform.identity(3), null);
    Path f = dir.resolve("missing-folder").resolve("m.safetensors");
    assertThrows(java.io.IOException.class, () -> ModelFile.save(m, f));
    assertFalse(Files.exists(f));
  }
}
