package dev.tripletcuda.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The malformed-input corpus under {@code src/test/resources/corpus}: one folder per format,
 * each with its files, a {@code cases.tsv} manifest of the error each must give, and a
 * {@code good/} folder of files that must load.
 */
public final class Corpus {

  /** The manifest of a format's folder. */
  public static final String MANIFEST = "cases.tsv";

  /**
   * One malformed input and the error it must give.
   *
   * @param file the input, relative to the format's folder
   * @param place the exact place, or null for the whole file
   * @param fragment text the message must contain
   * @param blamed the file the error must name: the input unless the manifest says another
   */
  public record Case(String file, String place, String fragment, String blamed) {
    @Override
    public String toString() {
      return file;
    }
  }

  private Corpus() {}

  /** The corpus folder on the test class path. */
  public static Path root() {
    try {
      return Path.of(Corpus.class.getResource("/corpus").toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("the corpus is missing from the test class path", e);
    }
  }

  /** The folder of one format. */
  public static Path dir(String format) {
    return root().resolve(format);
  }

  /** The cases of a format's manifest, in order. */
  public static List<Case> cases(String format) {
    List<Case> cases = new ArrayList<>();
    List<String> lines = lines(dir(format).resolve(MANIFEST));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length < 3 || f.length > 4) {
        throw new IllegalStateException(format + "/" + MANIFEST + " line " + (i + 1) + " has "
            + f.length + " fields, expected file, place, fragment and optionally blamed");
      }
      cases.add(new Case(f[0], f[1].equals("-") ? null : f[1], f[2],
          f.length == 4 ? f[3] : f[0]));
    }
    return cases;
  }

  /** The lines of a manifest such as {@code cli/cases.tsv}, comments and blanks dropped. */
  public static List<String[]> rows(String format) {
    return lines(dir(format).resolve(MANIFEST)).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.split("\t", -1))
        .collect(Collectors.toList());
  }

  /** The valid files of a format, in {@code good/}. */
  public static List<Path> good(String format) {
    return files(dir(format).resolve("good"));
  }

  /**
   * Every file of the given formats, bad and good, as named byte arrays: the seeds of a fuzz
   * test, which also runs them on every build.
   */
  public static Stream<Arguments> seeds(String... formats) {
    List<Arguments> seeds = new ArrayList<>();
    for (String format : formats) {
      for (Path p : files(dir(format))) {
        if (p.getFileName().toString().equals(MANIFEST)) {
          continue;
        }
        try {
          String name = format + "/" + dir(format).relativize(p);
          seeds.add(Arguments.of(Named.of(name, Files.readAllBytes(p))));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return seeds.stream();
  }

  private static List<Path> files(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> lines(Path manifest) {
    try {
      return Files.readAllLines(manifest, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
