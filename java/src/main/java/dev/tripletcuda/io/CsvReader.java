package dev.tripletcuda.io;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads comma-separated samples: one row per line, numeric features, the class label in the
 * last column (any text). The first line is a header when one of its feature cells is not a
 * number. Blank lines are skipped. Every bad cell is reported with its line and column.
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
    String[] lines = text.split("\r?\n|\r", -1);
    int first = 0;
    while (first < lines.length && lines[first].isBlank()) {
      first++;
    }
    if (first == lines.length) {
      throw new InvalidDataException(name, null, "the file is empty");
    }

    String[] head = split(lines[first]);
    if (labelled && head.length < 2) {
      throw new InvalidDataException(name, "line " + (first + 1), "has " + head.length
          + " column; expected at least one feature column and the label in the last column");
    }
    int cols = head.length;
    int dim = labelled ? cols - 1 : cols;
    boolean header = false;
    for (int c = 0; c < dim; c++) {
      if (!isNumber(head[c])) {
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
      String[] cells = split(lines[i]);
      int line = i + 1;
      if (cells.length != cols) {
        throw new InvalidDataException(name, "line " + line, "has " + cells.length
            + " columns, expected " + cols + " like line " + (first + 1));
      }
      float[] row = new float[dim];
      for (int c = 0; c < dim; c++) {
        row[c] = parseCell(name, line, c + 1, cells[c]);
      }
      String label = labelled ? cells[dim].trim() : Samples.UNLABELLED;
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

  private static String[] split(String line) {
    return line.split(",", -1);
  }

  private static boolean isNumber(String cell) {
    try {
      Float.parseFloat(cell.trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static float parseCell(String name, int line, int column, String cell) {
    String text = cell.trim();
    float v;
    try {
      v = Float.parseFloat(text);
    } catch (NumberFormatException e) {
      throw new InvalidDataException(name, "line " + line + ", column " + column,
          text.isEmpty() ? "the cell is empty, expected a number"
              : "'" + abbreviate(text) + "' is not a number");
    }
    if (!Float.isFinite(v)) {
      throw new InvalidDataException(name, "line " + line + ", column " + column, "'"
          + abbreviate(text) + "' is " + (Float.isNaN(v) ? "NaN" : "infinite")
          + " (as float32); features must be finite");
    }
    return v;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
