package dev.tripletcuda.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {

  @TempDir
  Path dir;

  static byte[] idxImages(int count, int rows, int cols) {
    byte[] b = new byte[16 + count * rows * cols];
    b[2] = 0x08;
    b[3] = 3;
    putInt(b, 4, count);
    putInt(b, 8, rows);
    putInt(b, 12, cols);
    for (int i = 16; i < b.length; i++) {
      b[i] = (byte) (i * 7);
    }
    return b;
  }

  static byte[] idxLabels(int count) {
    byte[] b = new byte[8 + count];
    b[2] = 0x08;
    b[3] = 1;
    putInt(b, 4, count);
    for (int i = 0; i < count; i++) {
      b[8 + i] = (byte) (i % 3);
    }
    return b;
  }

  static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private Path write(String name, String text) throws IOException {
    return write(name, text.getBytes(StandardCharsets.UTF_8));
  }

  private InvalidDataException bad(Path p) {
    return assertThrows(InvalidDataException.class, () -> DataSources.load(p));
  }

  @Test
  void embeddedSampleHasTheDocumentedSplit() {
    Dataset[] d = DataSources.embedded();
    assertEquals(8000, d[0].rows());
    assertEquals(2000, d[1].rows());
    assertEquals(784, d[0].dim());
    assertEquals(10, d[0].classCount());
    assertArrayEquals(new int[] {28, 28}, d[0].imageShape());
    assertEquals(Dataset.Kind.BYTES, d[0].kind());
  }

  @Test
  void idxPairLoadsPlainOrGzippedWithLabelsFoundBeside() throws IOException {
    write("train-images-idx3-ubyte.gz", gzip(idxImages(6, 2, 3)));
    write("train-labels-idx1-ubyte.gz", gzip(idxLabels(6)));
    Dataset d = DataSources.load(dir.resolve("train-images-idx3-ubyte.gz"));
    assertEquals(6, d.rows());
    assertEquals(6, d.dim());
    assertEquals(List.of("0", "1", "2"), d.classNames());
    Dataset folder = DataSources.load(dir);
    assertArrayEquals(d.features(), folder.features());
    assertArrayEquals(d.labels(), folder.labels());
  }

  @Test
  void idxFaultsNameFileAndPlace() throws IOException {
    write("labels-idx1-ubyte", idxLabels(6));
    byte[] wrongMagic = idxImages(6, 2, 3);
    wrongMagic[0] = 0x12;
    InvalidDataException m = bad(write("images-idx3-ubyte", wrongMagic));
    assertTrue(m.getMessage().contains("byte 0: magic number 0x12000803 is not IDX"),
        m.getMessage());

    byte[] truncated = Arrays.copyOf(idxImages(6, 2, 3), 30);
    InvalidDataException t = bad(write("images-idx3-ubyte", truncated));
    assertTrue(t.getMessage().contains("truncated") && t.getMessage().contains("byte 30"),
        t.getMessage());

    write("images-idx3-ubyte", idxImages(5, 2, 3));
    InvalidDataException c = bad(dir.resolve("images-idx3-ubyte"));
    assertTrue(c.getMessage().contains("holds 6 labels but")
        && c.getMessage().contains("holds 5 images"), c.getMessage());

    byte[] floats = idxImages(6, 2, 3);
    floats[2] = 0x0D;
    InvalidDataException f = bad(write("images-idx3-ubyte", floats));
    assertTrue(f.getMessage().contains("element type 0x0D is not supported"), f.getMessage());

    Files.delete(dir.resolve("labels-idx1-ubyte"));
    InvalidDataException missing = bad(write("images-idx3-ubyte", idxImages(6, 2, 3)));
    assertTrue(missing.getMessage().contains("no labels file beside it"), missing.getMessage());
  }

  @Test
  void truncatedGzipIsReported() throws IOException {
    byte[] gz = gzip(idxImages(6, 2, 3));
    InvalidDataException e = bad(write("x-images-idx3-ubyte.gz", Arrays.copyOf(gz, gz.length
        / 2)));
    assertTrue(e.getMessage().contains("gzip stream is truncated"), e.getMessage());
  }

  @Test
  void csvWithHeaderAndTextLabelsLoads() throws IOException {
    Path p = write("iris.csv", "a,b,species\n1,2,setosa\n3,4.5,virginica\n\n5,6,setosa\n");
    Dataset d = DataSources.load(p);
    assertEquals(3, d.rows());
    assertEquals(2, d.dim());
    assertEquals(List.of("setosa", "virginica"), d.classNames());
    assertArrayEquals(new int[] {0, 1, 0}, d.labels());
    assertArrayEquals(new float[] {1, 2, 3, 4.5f, 5, 6}, d.features());
    Dataset gz = DataSources.load(write("iris.csv.gz", gzip(Files.readAllBytes(p))));
    assertArrayEquals(d.features(), gz.features());
  }

  @Test
  void csvFaultsNameLineAndColumn() throws IOException {
    assertTrue(bad(write("a.csv", "1,2,x\n1,oops,y\n")).getMessage()
        .contains("line 2, column 2: 'oops' is not a number"));
    assertTrue(bad(write("b.csv", "1,2,x\n1,2\n")).getMessage()
        .contains("line 2: has 2 columns, expected 3"));
    assertTrue(bad(write("c.csv", "1,2,x\n1,NaN,y\n")).getMessage()
        .contains("line 2, column 2: 'NaN' is NaN"));
    assertTrue(bad(write("d.csv", "1,2,x\n1,1e39,y\n")).getMessage()
        .contains("is infinite"));
    assertTrue(bad(write("e.csv", "")).getMessage().contains("the file is empty"));
    assertTrue(bad(write("f.csv", "a,b,label\n")).getMessage()
        .contains("has a header but no data rows"));
    assertTrue(bad(write("g.csv", "1,2,\n")).getMessage().contains("label cell is empty"));
    assertTrue(bad(write("h.csv", "1\n2\n")).getMessage()
        .contains("expected at least one feature column"));
    assertTrue(bad(dir.resolve("missing.csv")).getMessage().contains("no such file"));
  }

  @Test
  void inputTransformScalesBytesAndStandardisesNumbers() {
    Dataset bytes = new Dataset("b", Dataset.Kind.BYTES, new float[] {0, 255, 51, 102}, 2, 2,
        new int[] {0, 0}, List.of("0"), null);
    assertArrayEquals(new float[] {0, 1, 0.2f, 0.4f}, InputTransform.fit(bytes).apply(bytes));
    Dataset nums = new Dataset("n", Dataset.Kind.NUMBERS, new float[] {1, 5, 3, 5}, 2, 2,
        new int[] {0, 0}, List.of("0"), null);
    // Column 0: mean 2, sd 1; column 1 is constant: scale 1.
    assertArrayEquals(new float[] {-1, 0, 1, 0}, InputTransform.fit(nums).apply(nums));
  }

  @Test
  void splitIsStratifiedAndSeeded() {
    int n = 100;
    float[] x = new float[n];
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      x[i] = i;
      l[i] = i < 80 ? 0 : 1;
    }
    Dataset d = new Dataset("s", Dataset.Kind.NUMBERS, x, n, 1, l, List.of("a", "b"), null);
    Dataset[] s = d.split(0.2, 7);
    assertEquals(80, s[0].rows());
    assertEquals(20, s[1].rows());
    assertArrayEquals(new int[] {16, 4}, s[1].classCounts());
    assertArrayEquals(s[1].features(), d.split(0.2, 7)[1].features());
  }

  @Test
  void testSplitTakesTheTrainingClassIds() {
    Dataset train = new Dataset("t", Dataset.Kind.NUMBERS, new float[3], 3, 1,
        new int[] {0, 1, 2}, List.of("a", "b", "c"), null);
    Dataset test = new Dataset("u", Dataset.Kind.NUMBERS, new float[3], 3, 1,
        new int[] {0, 1, 1}, List.of("c", "z"), null);
    Dataset mapped = test.withClassNames(train.classNames());
    assertEquals(List.of("a", "b", "c", "z"), mapped.classNames());
    assertArrayEquals(new int[] {2, 3, 3}, mapped.labels());
  }
}
