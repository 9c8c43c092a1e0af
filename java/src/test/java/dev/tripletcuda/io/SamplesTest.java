package dev.tripletcuda.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplesTest {

  @Test
  void csvWithOneMoreColumnThanFeaturesIsLabelled(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.csv");
    Files.writeString(f, "a,b,label\n1,2,cat\n3,4,dog\n");
    Samples s = DataSources.loadSamples(f, 2);
    assertTrue(s.labelled());
    assertEquals(2, s.rows());
    assertEquals(List.of("cat", "dog"), s.data().classNames());
    assertArrayEquals(new float[] {1, 2, 3, 4}, s.data().features());
  }

  @Test
  void csvWithAsManyColumnsAsFeaturesIsUnlabelled(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.csv");
    Files.writeString(f, "\nx,y\n1,2\n\n3,4\n");
    Samples s = DataSources.loadSamples(f, 2);
    assertFalse(s.labelled());
    assertEquals(2, s.rows());
    assertArrayEquals(new float[] {1, 2, 3, 4}, s.data().features());
    assertEquals(List.of(Samples.UNLABELLED), s.data().classNames());
    Files.writeString(f, "1,2\n3,4\n");
    assertEquals(2, DataSources.loadSamples(f, 2).rows());
  }

  @Test
  void otherColumnCountsAreClearErrors(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.csv");
    Files.writeString(f, "1,2,3,4\n");
    InvalidDataException e = assertThrows(InvalidDataException.class,
        () -> DataSources.loadSamples(f, 2));
    assertEquals(f + ": line 1: has 4 columns; the model takes 2 features: expected 2 columns, "
        + "or 3 with the label last", e.getMessage());
    Files.writeString(f, "  \n");
    assertThrows(InvalidDataException.class, () -> DataSources.loadSamples(f, 2));
    Files.writeString(f, "1,2\n3,x\n");
    InvalidDataException cell = assertThrows(InvalidDataException.class,
        () -> DataSources.loadSamples(f, 2));
    assertTrue(cell.getMessage().contains("line 2, column 2"), cell.getMessage());
  }

  @Test
  void idxImagesWithoutLabelsAreUnlabelled(@TempDir Path dir) throws Exception {
    byte[] images = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 10, 20, (byte) 255, 0};
    Path f = dir.resolve("q-images-idx3-ubyte");
    Files.write(f, images);
    Samples s = DataSources.loadSamples(f, 2);
    assertFalse(s.labelled());
    assertArrayEquals(new float[] {10, 20, 255, 0}, s.data().features());
    InvalidDataException dim = assertThrows(InvalidDataException.class,
        () -> DataSources.loadSamples(f, 784));
    assertTrue(dim.getMessage().endsWith("holds 2 features per row, the model takes 784"),
        dim.getMessage());

    Files.write(dir.resolve("q-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 7, 3});
    Samples labelled = DataSources.loadSamples(f, 2);
    assertTrue(labelled.labelled());
    assertEquals(List.of("3", "7"), labelled.data().classNames());
  }

  @Test
  void safeTensorsFilesAreRecognisedByTheirStart(@TempDir Path dir) throws Exception {
    Path st = dir.resolve("a.safetensors");
    SafeTensors.write(st, java.util.Map.of("w", new SafeTensors.Entry(new long[] {1},
        new float[] {1})), null);
    assertTrue(SafeTensors.looksLike(st));
    Path csv = dir.resolve("a.csv");
    Files.writeString(csv, "1,2,3\n");
    assertFalse(SafeTensors.looksLike(csv));
    assertFalse(SafeTensors.looksLike(dir));
  }
}
