package dev.tripletcuda.io;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads comma-separated samples: one row per line, numeric features, the class label in the
 * last column (any text). Every bad cell is reported with its line and column.
 *
 * <ul>
 *   <li>Lines end in LF, CRLF or CR; blank lines are skipped; a leading byte order mark is
 *       dropped.
 *   <li>The first line is a header when one of its feature cells is not a number. A header
 *       whose feature names are all numbers is read as data: its label becomes a class.
 *   <li>Numbers are decimal, such as {@code -1}, {@code 0.5}, {@code .5e-3}; spaces around a
 *       cell are ignored. NaN and infinities (also values beyond the float32 range) are
 *       refused: features must be finite.
 *   <li>A cell may be quoted as RFC 4180 describes: {@code "setosa, var. 2"} holds a comma and
 *       {@code ""} stands for one quote. A quoted cell must end on its own line.
 * </ul>
 */
public final class CsvReader {

  private CsvReader() {}

  /** Parses CSV text into a dataset of kind NUMBERS, the label in the last column. */
  public static Dataset read(String name, String text) {
    return parse(name, text, true);
  }

  /**
   * Parses CSV text whose columns are all features: every row gets class id 0 of the single
   * class name {@link Samples#UNLABELLED}. The first line is a header when any cell of it is not
   * a number.
   */
  public static Dataset readUnlabelled(String name, String text) {
    return parse(name, text, false);
  }

  private static Dataset parse(String name, String text, boolean labelled) {
    requireNonNull("name", name);
    requireNonNull("text", text);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String[] lines = text.split("\r?\n|\r", -1);
    int first = 0;
    while (first < lines.length && lines[first].isBlank()) {
      first++;
    }
    if (first == lines.length) {
      throw new InvalidDataException(name, null, "the file is empty");
    }

    List<String> head = cells(name, first + 1, lines[first]);
    if (labelled && head.size() < 2) {
      throw new InvalidDataException(name, "line " + (first + 1), "has " + head.size()
          + " column; expected at least one feature column and the label in the last column");
    }
    int cols = head.size();
    int dim = labelled ? cols - 1 : cols;
    boolean header = false;
    for (int c = 0; c < dim; c++) {
      if (!isDecimal(head.get(c)) && !isNonFinite(head.get(c))) {
        header = true;
        break;
      }
    }

    List<float[]> rows = new ArrayList<>();
    List<String> labelText = new ArrayList<>();
    for (int i = header ? first + 1 : first; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      int line = i + 1;
      List<String> cells = cells(name, line, lines[i]);
      if (cells.size() != cols) {
        throw new InvalidDataException(name, "line " + line, "has " + cells.size()
            + " columns, expected " + cols + " like line " + (first + 1));
      }
      float[] row = new float[dim];
      for (int c = 0; c < dim; c++) {
        row[c] = parseCell(name, line, c + 1, cells.get(c));
      }
      String label = labelled ? cells.get(dim) : Samples.UNLABELLED;
      if (label.isEmpty()) {
        throw new InvalidDataException(name, "line " + line + ", column " + cols,
            "the label cell is empty");
      }
      rows.add(row);
      labelText.add(label);
    }
    if (rows.isEmpty()) {
      throw new InvalidDataException(name, "line " + (first + 1),
          "the file has a header but no data rows");
    }

    Set<String> present = new LinkedHashSet<>(labelText);
    List<String> names = new ArrayList<>(Dataset.sortedNames(present));
    Map<String, Integer> ids = new HashMap<>();
    for (int c = 0; c < names.size(); c++) {
      ids.put(names.get(c), c);
    }
    float[] features = new float[rows.size() * dim];
    int[] labels = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, features, i * dim, dim);
      labels[i] = ids.get(labelText.get(i));
    }
    return new Dataset(name, Dataset.Kind.NUMBERS, features, rows.size(), dim, labels, names,
        null);
  }

  /** The cells of one line, trimmed, quotes removed. */
  private static List<String> cells(String name, int line, String text) {
    List<String> cells = new ArrayList<>();
    int n = text.length();
    int at = 0;
    while (true) {
      int column = cells.size() + 1;
      while (at < n && isBlank(text.charAt(at))) {
        at++;
      }
      if (at < n && text.charAt(at) == '"') {
        // Quoted: up to the next lone quote; "" is one quote.
        StringBuilder cell = new StringBuilder();
        int i = at + 1;
        while (true) {
          if (i >= n) {
            throw new InvalidDataException(name, "line " + line + ", column " + column,
                "the quoted cell is not closed on this line (a quoted cell must not span "
                    + "lines)");
          }
          char c = text.charAt(i);
          if (c == '"') {
            if (i + 1 < n && text.charAt(i + 1) == '"') {
              cell.append('"');
              i += 2;
              continue;
            }
            break;
          }
          cell.append(c);
          i++;
        }
        at = i + 1;
        while (at < n && isBlank(text.charAt(at))) {
          at++;
        }
        if (at < n && text.charAt(at) != ',') {
          throw new InvalidDataException(name, "line " + line + ", column " + column,
              "text after the closing quote of a quoted cell");
        }
        cells.add(cell.toString());
      } else {
        int comma = text.indexOf(',', at);
        int end = comma < 0 ? n : comma;
        String cell = text.substring(at, end).trim();
        if (cell.indexOf('"') >= 0) {
          throw new InvalidDataException(name, "line " + line + ", column " + column,
              "a double quote inside an unquoted cell " + InvalidDataException.quote(cell)
                  + "; quote the whole cell and double the quote");
        }
        cells.add(cell);
        at = end;
      }
      if (at >= n) {
        return cells;
      }
      at++;
    }
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  /** A plain decimal number: sign, digits with at most one point, optional exponent. */
  static boolean isDecimal(String s) {
    int n = s.length();
    int intStart = skipSign(s, 0);
    int intEnd = skipDigits(s, intStart);
    int end = intEnd < n && s.charAt(intEnd) == '.' ? skipDigits(s, intEnd + 1) : intEnd;
    int digits = end - intStart - (end > intEnd ? 1 : 0);
    if (digits == 0) {
      return false;
    }
    if (end < n && (s.charAt(end) == 'e' || s.charAt(end) == 'E')) {
      int expStart = skipSign(s, end + 1);
      end = skipDigits(s, expStart);
      if (end == expStart) {
        return false;
      }
    }
    return end == n;
  }

  private static int skipSign(String s, int i) {
    return i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-') ? i + 1 : i;
  }

  private static int skipDigits(String s, int i) {
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i;
  }

  /** NaN or an infinity as numpy, pandas or Java write them, in any case. */
  private static boolean isNonFinite(String s) {
    String t = s.toLowerCase(Locale.ROOT);
    if (t.startsWith("+") || t.startsWith("-")) {
      t = t.substring(1);
    }
    return t.equals("nan") || t.equals("inf") || t.equals("infinity");
  }

  private static float parseCell(String name, int line, int column, String text) {
    String where = "line " + line + ", column " + column;
    if (text.isEmpty()) {
      throw new InvalidDataException(name, where, "the cell is empty, expected a number");
    }
    if (isNonFinite(text)) {
      throw new InvalidDataException(name, where, InvalidDataException.quote(text) + " is "
          + (text.toLowerCase(Locale.ROOT).contains("nan") ? "NaN" : "infinite")
          + "; features must be finite");
    }
    if (!isDecimal(text)) {
      throw new InvalidDataException(name, where, InvalidDataException.quote(text)
          + " is not a number");
    }
    float v = Float.parseFloat(text);
    if (Float.isInfinite(v)) {
      throw new InvalidDataException(name, where, InvalidDataException.quote(text)
          + " is infinite as float32 (beyond 3.4e38); features must be finite");
    }
    return v;
  }
}
