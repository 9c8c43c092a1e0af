package dev.tripletcuda.io;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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
    requireNonNull("path", path);
    String name = path.toString();
    if (Files.isDirectory(path)) {
      return loadIdxFolder(path);
    }
    Content content = Content.of(name, readFile(path));
    byte[] bytes = content.bytes();
    // The name decides where it is clear, so that a damaged IDX file is reported as IDX.
    String file = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    boolean idxName = file.contains("idx") || file.contains("ubyte");
    boolean csvName = file.endsWith(".csv") || file.endsWith(".csv.gz");
    if (idxName || (!csvName && IdxReader.looksLikeIdx(bytes))) {
      if (bytes.length >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[3] == 1) {
        throw new InvalidDataException(name, "byte 3", "is an IDX labels file (1 dimension); "
            + "give the images file instead, the labels are found beside it");
      }
      Path labels = labelsBeside(path);
      return idx(content, Content.of(labels.toString(), readFile(labels)));
    }
    return csv(name, bytes);
  }

  /** A file's bytes, decompressed when they were gzip. */
  private record Content(String name, byte[] bytes, boolean gzipped) {
    static Content of(String name, byte[] raw) {
      boolean gz = Gzip.isGzip(raw);
      return new Content(name, gz ? Gzip.decompress(name, raw, Gzip.MAX_ARRAY) : raw, gz);
    }
  }

  /**
   * Reads an IDX pair. A byte offset into a gzip file is one of the decompressed data, and the
   * message says so.
   */
  private static Dataset idx(Content images, Content labels) {
    try {
      return IdxReader.read(images.name(), images.bytes(), labels.name(), labels.bytes());
    } catch (InvalidDataException e) {
      Content blamed = e.source().equals(images.name()) ? images : labels;
      if (blamed.gzipped() && e.place() != null && e.place().startsWith("byte ")) {
        throw new InvalidDataException(e.source(), e.place() + " of the decompressed data",
            e.problem(), e);
      }
      throw e;
    }
  }

  /** Reads CSV from the bytes of a file: UTF-8, a byte order mark allowed. */
  static Dataset csv(String name, byte[] bytes) {
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
    requireNonNull("path", path);
    String name = path.toString();
    if (Files.isDirectory(path)) {
      return checked(new Samples(loadIdxFolder(path), true), features);
    }
    Content content = Content.of(name, readFile(path));
    byte[] bytes = content.bytes();
    if (IdxReader.looksLikeIdx(bytes)) {
      Path labels;
      try {
        labels = labelsBeside(path);
      } catch (InvalidDataException noLabels) {
        return checked(new Samples(IdxReader.readImages(name, bytes), false), features);
      }
      return checked(new Samples(idx(content, Content.of(labels.toString(),
          readFile(labels))), true), features);
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
    return idx(Content.of(name, resource(images)), Content.of(name + " labels",
        resource(labels)));
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
    return idx(Content.of(img.toString(), readFile(img)),
        Content.of(lab.toString(), readFile(lab)));
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
      long size = Files.size(path);
      if (size > Gzip.MAX_ARRAY) {
        throw new InvalidDataException(path.toString(), null, "file of " + size + " bytes is "
            + "larger than the " + Gzip.MAX_ARRAY + " bytes that can be read into memory");
      }
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new InvalidDataException(path.toString(), null, "no such file");
    } catch (AccessDeniedException e) {
      throw new InvalidDataException(path.toString(), null, "permission denied");
    } catch (IOException | OutOfMemoryError e) {
      throw new InvalidDataException(path.toString(), null, "cannot be read: "
          + e.getMessage(), e);
    }
  }

  /** Decodes strict UTF-8, dropping a byte order mark; a bad byte is reported by offset. */
  private static String text(String name, byte[] bytes) {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = utf8.decode(in, out, true);
    if (!r.isError()) {
      r = utf8.flush(out);
    }
    if (r.isError()) {
      int at = in.position();
      int line = 1;
      for (int i = 0; i < at; i++) {
        line += bytes[i] == '\n' ? 1 : 0;
      }
      throw new InvalidDataException(name, "line " + line + ", byte " + at, String.format(
          "byte 0x%02X is not UTF-8 text; a CSV file must be UTF-8 (an IDX file would start "
              + "with 00 00 08)", bytes[at] & 0xFF));
    }
    out.flip();
    int start = out.length() > 0 && out.charAt(0) == '\uFEFF' ? 1 : 0;
    return out.subSequence(start, out.length()).toString();
  }
}
