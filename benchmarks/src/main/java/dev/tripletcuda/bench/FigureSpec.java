package dev.tripletcuda.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One figure of the comparison with PyTorch, written {@code kind:key=value,key=value}, e.g.
 * {@code knn:q=2000,n=8000,d=128,k=10}. The same text names the figure on both sides and in
 * the results; {@code benchmarks/figures-*.txt} list them, one per line, each followed by its
 * target (read by the comparison script only) and {@code #} comments.
 */
record FigureSpec(String text, String kind, Map<String, String> params) {

  /** Parses one figure's text; throws IllegalArgumentException naming the bad part. */
  static FigureSpec parse(String text) {
    String t = text.trim();
    int colon = t.indexOf(':');
    String kind = colon < 0 ? t : t.substring(0, colon);
    if (kind.isEmpty()) {
      throw new IllegalArgumentException("figure '" + text + "' has no kind, expected e.g. "
          + "pairwise:n=1024,d=128");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (colon >= 0 && colon + 1 < t.length()) {
      for (String pair : t.substring(colon + 1).split(",")) {
        int eq = pair.indexOf('=');
        if (eq <= 0 || eq == pair.length() - 1) {
          throw new IllegalArgumentException("figure '" + text + "': '" + pair
              + "' is not key=value");
        }
        params.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    return new FigureSpec(t, kind, Collections.unmodifiableMap(params));
  }

  /** The figures of a list file: the first word of each line that is not blank or a comment. */
  static List<FigureSpec> readFile(Path file) throws IOException {
    List<FigureSpec> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNo++;
      String s = line.strip();
      int hash = s.indexOf('#');
      if (hash >= 0) {
        s = s.substring(0, hash).strip();
      }
      if (s.isEmpty()) {
        continue;
      }
      try {
        out.add(parse(s.split("\\s+")[0]));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + " line " + lineNo + ": " + e.getMessage());
      }
    }
    return out;
  }

  /** The whole-number parameter key, or fallback when absent. */
  int intParam(String key, int fallback) {
    String v = params.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("figure '" + text + "': " + key + "=" + v
          + ", expected a whole number >= 1");
    }
  }

  /** The whole-number parameter key, which must be present. */
  int intParam(String key) {
    if (!params.containsKey(key)) {
      throw new IllegalArgumentException("figure '" + text + "' lacks " + key + "=...");
    }
    return intParam(key, 0);
  }

  /** The text parameter key, or fallback when absent. */
  String param(String key, String fallback) {
    return params.getOrDefault(key, fallback);
  }
}
