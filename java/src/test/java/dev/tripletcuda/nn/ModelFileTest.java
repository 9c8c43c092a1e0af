package dev.tripletcuda.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.io.InvalidDataException;
import dev.tripletcuda.io.SafeTensors;
import dev.tripletcuda.train.SplitMix64;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {

  @TempDir
  Path dir;

  private static EmbeddingModel model() {
    NetworkSpec spec = new NetworkSpec(5, new int[] {4, 3}, true);
    float[] p = Initializer.fanInUniform(spec, new SplitMix64(1));
    InputTransform t = new InputTransform(new float[] {0, 1, 2, 3, 4},
        new float[] {1, 2, 3, 4, 5});
    return new EmbeddingModel(spec, p, t, Map.of("mining", "batch-all"));
  }

  @Test
  void saveThenLoadGivesTheSameModel() throws IOException {
    Path f = dir.resolve("m.safetensors");
    EmbeddingModel m = model();
    ModelFile.save(m, f);
    EmbeddingModel back = ModelFile.load(f);
    assertEquals(m.spec(), back.spec());
    assertArrayEquals(m.parameters(), back.parameters());
    assertArrayEquals(m.input().scale(), back.input().scale());
    assertEquals("batch-all", back.metadata().get("mining"));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void fileLayoutIsPlainSafetensors() throws IOException {
    Path f = dir.resolve("m.safetensors");
    ModelFile.save(model(), f);
    byte[] b = Files.readAllBytes(f);
    long n = java.nio.ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .getLong();
    assertEquals(0, (8 + n) % 8, "data 8-byte aligned");
    String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(header.contains("\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[4,5]"), header);
    assertTrue(header.contains("\"format\":\"" + ModelFile.FORMAT + "\""), header);
  }

  @Test
  void weightsWrittenByAnotherToolLoad() throws IOException {
    // The tensors PyTorch's safetensors.torch.save_file writes for two nn.Linear layers,
    // without metadata or input transform.
    Map<String, SafeTensors.Entry> t = new LinkedHashMap<>();
    t.put("layers.0.weight", new SafeTensors.Entry(new long[] {2, 3}, new float[6]));
    t.put("layers.0.bias", new SafeTensors.Entry(new long[] {2}, new float[2]));
    t.put("layers.1.weight", new SafeTensors.Entry(new long[] {1, 2}, new float[] {1, 2}));
    t.put("layers.1.bias", new SafeTensors.Entry(new long[] {1}, new float[1]));
    Path f = dir.resolve("torch.safetensors");
    SafeTensors.write(f, t, null);
    EmbeddingModel m = ModelFile.load(f);
    assertEquals("3-2-1", m.spec().describe());
    assertTrue(m.spec().normalize());
    assertArrayEquals(new float[] {1, 1, 1}, m.input().scale());
  }

  @Test
  void corruptFilesGetClearErrors() throws IOException {
    Path f = dir.resolve("m.safetensors");
    ModelFile.save(model(), f);
    byte[] good = Files.readAllBytes(f);

    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, Arrays.copyOf(good, good.length - 10));
    InvalidDataException e1 = assertThrows(InvalidDataException.class,
        () -> ModelFile.load(cut));
    assertTrue(e1.getMessage().contains("outside the") || e1.getMessage().contains("truncated"),
        e1.getMessage());

    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    assertTrue(assertThrows(InvalidDataException.class, () -> ModelFile.load(tiny))
        .getMessage().contains("shorter than the 8-byte header length"));

    Path huge = dir.resolve("huge.safetensors");
    byte[] h = good.clone();
    h[7] = 0x7F;
    Files.write(huge, h);
    assertTrue(assertThrows(InvalidDataException.class, () -> ModelFile.load(huge))
        .getMessage().contains("header length"));

    Path notObject = dir.resolve("array.safetensors");
    byte[] json = "[1,2]   ".getBytes(StandardCharsets.UTF_8);
    byte[] arr = new byte[8 + json.length];
    arr[0] = (byte) json.length;
    System.arraycopy(json, 0, arr, 8, json.length);
    Files.write(notObject, arr);
    assertTrue(assertThrows(InvalidDataException.class, () -> ModelFile.load(notObject))
        .getMessage().contains("not a JSON object"));

    Path missing = dir.resolve("nope.safetensors");
    assertTrue(assertThrows(InvalidDataException.class, () -> ModelFile.load(missing))
        .getMessage().contains("no such file"));
  }

  @Test
  void mismatchedShapesAreRejected() throws IOException {
    Map<String, SafeTensors.Entry> t = new LinkedHashMap<>();
    t.put("layers.0.weight", new SafeTensors.Entry(new long[] {2, 3}, new float[6]));
    t.put("layers.0.bias", new SafeTensors.Entry(new long[] {2}, new float[2]));
    t.put("layers.1.weight", new SafeTensors.Entry(new long[] {1, 4}, new float[4]));
    t.put("layers.1.bias", new SafeTensors.Entry(new long[] {1}, new float[1]));
    Path f = dir.resolve("bad.safetensors");
    SafeTensors.write(f, t, Map.of());
    InvalidDataException e = assertThrows(InvalidDataException.class, () -> ModelFile.load(f));
    assertTrue(e.getMessage().contains("takes 4 inputs but layer 0 gives 2"), e.getMessage());
  }
}
