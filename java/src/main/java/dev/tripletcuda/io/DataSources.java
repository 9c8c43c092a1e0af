package dev.tripletcuda.io;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Turns a path given on the command line into a {@link Dataset}: an IDX images file (its labels
 * file found beside it under the standard name), a folder holding such a pair, or a CSV file;
 * each plain or gzip-compressed, told apart by their first bytes. Also the embedded sample.
 */
public final class DataSources {

  /** Resource folder of the embedded 10k MNIST sample. */
  private static final String EMBEDDED = "/dev/tripletcuda/data/mnist-10k/";

  /** The name the embedded sample goes by in messages and reports. */
  public static final String EMBEDDED_NAME = "embedded MNIST 10k sample";

  private DataSources() {}

  /** Reads a dataset from a file or folder; every failure is an {@link InvalidDataException}. */
  public static Dataset load(Path path) {
    String name = path.toString();
    if (Files.isDirectory(path)) {
      return loadIdxFolder(path);
    }
    byte[] bytes = decompress(name, readFile(path));
    if (IdxReader.looksLikeIdx(bytes)) {
      Path labels = labelsBeside(path);
      return IdxReader.read(name, bytes, labels.toString(),
          decompress(labels.toString(), readFile(labels)));
    }
    return CsvReader.read(name, text(name, bytes));
  }

  /**
   * Reads samples for a model that takes {@code features} values per row, with or without
   * labels: an IDX images file (its labels file used when one lies beside it), a folder with an
   * IDX pair, or a CSV file whose rows hold either {@code features} numbers or those and the
   * label last, told apart by the column count of the first line.
   *
   * @throws InvalidDataException when the file cannot be read or its rows have another size
   */
  public static Samples loadSamples(Path path, int features) {
    String name = path.toString();
    if (Files.isDirectory(path)) {
      return checked(new Samples(loadIdxFolder(path), true), features);
    }
    byte[] bytes = decompress(name, readFile(path));
    if (IdxReader.looksLikeIdx(bytes)) {
      Path labels;
      try {
        labels = labelsBeside(path);
      } catch (InvalidDataException noLabels) {
        return checked(new Samples(IdxReader.readImages(name, bytes), false), features);
      }
      return checked(new Samples(IdxReader.read(name, bytes, labels.toString(),
          decompress(labels.toString(), readFile(labels))), true), features);
    }
    String csv = text(name, bytes);
    int line = 0;
    String[] lines = csv.split("\r?\n|\r", -1);
    while (line < lines.length && lines[line].isBlank()) {
      line++;
    }
    if (line == lines.length) {
      throw new InvalidDataException(name, null, "the file is empty");
    }
    int cols = lines[line].split(",", -1).length;
    if (cols == features + 1) {
      return new Samples(CsvReader.read(name, csv), true);
    }
    if (cols == features) {
      return new Samples(CsvReader.readUnlabelled(name, csv), false);
    }
    throw new InvalidDataException(name, "line " + (line + 1), "has " + cols + " columns; "
        + "the model takes " + features + " features: expected " + features + " columns, or "
        + (features + 1) + " with the label last");
  }

  private static Samples checked(Samples s, int features) {
    if (s.data().dim() != features) {
      throw new InvalidDataException(s.data().source(), null, "holds " + s.data().dim()
          + " features per row, the model takes " + features);
    }
    return s;
  }

  /** The embedded sample's fixed split: {train (8,000), test (2,000)}. */
  public static Dataset[] embedded() {
    return new Dataset[] {embeddedSplit("train"), embeddedSplit("test")};
  }

  private static Dataset embeddedSplit(String split) {
    String images = EMBEDDED + split + "/images-idx3-ubyte.gz";
    String labels = EMBEDDED + split + "/labels-idx1-ubyte.gz";
    String name = EMBEDDED_NAME + " (" + split + ")";
    Dataset d = IdxReader.read(name, decompress(images, resource(images)), name + " labels",
        decompress(labels, resource(labels)));
    return d;
  }

  private static byte[] resource(String path) {
    try (InputStream in = DataSources.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("resource " + path + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("resource " + path + " could not be read", e);
    }
  }

  private static Dataset loadIdxFolder(Path dir) {
    List<Path> images = new ArrayList<>();
    List<Path> labels = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(Files::isRegularFile).forEach(f -> {
        String n = f.getFileName().toString();
        if (n.contains("idx3") || n.contains("images")) {
          images.add(f);
        } else if (n.contains("idx1") || n.contains("labels")) {
          labels.add(f);
        }
      });
    } catch (IOException e) {
      throw new InvalidDataException(dir.toString(), null, "folder cannot be listed: "
          + e.getMessage(), e);
    }
    if (images.size() != 1 || labels.size() != 1) {
      throw new InvalidDataException(dir.toString(), null, "expected one IDX images file "
          + "(*images*idx3*) and one labels file (*labels*idx1*), found " + images.size()
          + " and " + labels.size());
    }
    Path img = images.get(0);
    Path lab = labels.get(0);
    return IdxReader.read(img.toString(), decompress(img.toString(), readFile(img)),
        lab.toString(), decompress(lab.toString(), readFile(lab)));
  }

  /** The labels file of an images file: "images" to "labels" and "idx3" to "idx1". */
  static Path labelsBeside(Path images) {
    String n = images.getFileName().toString();
    String base = n.replace("images", "labels").replace("idx3", "idx1");
    List<String> tried = new ArrayList<>();
    for (String candidate : new String[] {base, base + ".gz",
        base.endsWith(".gz") ? base.substring(0, base.length() - 3) : null}) {
      if (candidate == null || candidate.equals(n) || tried.contains(candidate)) {
        continue;
      }
      tried.add(candidate);
      Path p = images.resolveSibling(candidate);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new InvalidDataException(images.toString(), null, "no labels file beside it: looked "
        + "for " + String.join(" and ", tried));
  }

  static byte[] readFile(Path path) {
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new InvalidDataException(path.toString(), null, "no such file");
    } catch (IOException | OutOfMemoryError e) {
      throw new InvalidDataException(path.toString(), null, "cannot be read: "
          + e.getMessage(), e);
    }
  }

  /** Gunzips when the bytes start with the gzip magic number; otherwise returns them. */
  static byte[] decompress(String name, byte[] bytes) {
    if (bytes.length < 2 || (bytes[0] & 0xFF) != 0x1F || (bytes[1] & 0xFF) != 0x8B) {
      return bytes;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length * 4);
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      in.transferTo(out);
    } catch (EOFException e) {
      throw new InvalidDataException(name, "gzip byte " + bytes.length,
          "the gzip stream is truncated");
    } catch (ZipException e) {
      throw new InvalidDataException(name, null, "the gzip stream is corrupt: "
          + e.getMessage());
    } catch (IOException e) {
      throw new InvalidDataException(name, null, "the gzip stream cannot be read: "
          + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  private static String text(String name, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidDataException(name, null, "neither IDX nor UTF-8 text (CSV)");
    }
  }
}
