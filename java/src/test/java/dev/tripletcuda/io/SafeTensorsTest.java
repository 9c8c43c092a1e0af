package dev.tripletcuda.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafeTensorsTest {

  @Test
  void writtenBytesParseBackToTheSameTensorsAndMetadata() throws IOException {
    Map<String, SafeTensors.Entry> t = new LinkedHashMap<>();
    t.put("empty", new SafeTensors.Entry(new long[] {0, 7}, new float[0]));
    t.put("scalar", new SafeTensors.Entry(new long[] {}, new float[] {3.5f}));
    t.put("w", new SafeTensors.Entry(new long[] {2, 3}, new float[] {1, -2, 3, Float.NaN, 5,
        Float.MIN_VALUE}));
    Map<String, String> meta = Map.of("format", "x", "note", "quotes \" and \u00e9");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafeTensors.writeTo(out, t, meta);

    SafeTensors.Contents back = SafeTensors.parse("m", out.toByteArray());
    assertEquals(List.copyOf(t.keySet()), List.copyOf(back.tensors().keySet()));
    for (String k : t.keySet()) {
      assertArrayEquals(t.get(k).shape(), back.tensors().get(k).shape(), k);
      assertArrayEquals(t.get(k).values(), back.tensors().get(k).values(), k);
    }
    assertEquals(meta, back.metadata());
  }
}
