package dev.tripletcuda.io;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Labelled samples held on the host: {@code rows} feature vectors of {@code dim} values each, as
 * read from the file (IDX bytes as 0..255, CSV cells as written), and one class id per row.
 * Class ids index {@link #classNames()}; two datasets compare labels through those names, so a
 * test split is first put into the training split's ids with {@link #withClassNames}.
 *
 * <p>Immutable from the outside: accessors return the arrays themselves for speed, and callers
 * must not modify them.
 */
public final class Dataset {

  /** How the values were stored, which decides their default normalisation. */
  public enum Kind {
    /** Unsigned bytes (IDX): scaled to [0, 1]. */
    BYTES,
    /** Arbitrary numbers (CSV): standardised per column with the training split's statistics. */
    NUMBERS
  }

  private final String source;
  private final Kind kind;
  /** (rows, dim) row-major. */
  private final float[] features;
  private final int rows;
  private final int dim;
  /** (rows) class ids into classNames. */
  private final int[] labels;
  private final List<String> classNames;
  /** Height and width when the rows are images, else null. */
  private final int[] imageShape;

  public Dataset(String source, Kind kind, float[] features, int rows, int dim, int[] labels,
      List<String> classNames, int[] imageShape) {
    requireNonNull("source", source);
    requireNonNull("kind", kind);
    requireNonNull("features", features);
    requireNonNull("labels", labels);
    requireNonNull("classNames", classNames);
    for (int c = 0; c < classNames.size(); c++) {
      if (classNames.get(c) == null) {
        throw new IllegalArgumentException("dataset " + source + ": classNames[" + c
            + "] is null, expected a name for every class");
      }
    }
    if (rows < 0 || dim < 1 || features.length != (long) rows * dim || labels.length != rows) {
      throw new IllegalArgumentException("dataset " + source + ": " + rows + " rows of dim "
          + dim + " need " + (long) rows * dim + " values and " + rows + " labels, got "
          + features.length + " values and " + labels.length + " labels");
    }
    for (int i = 0; i < rows; i++) {
      if (labels[i] < 0 || labels[i] >= classNames.size()) {
        throw new IllegalArgumentException("dataset " + source + ": label[" + i + "]="
            + labels[i] + ", expected 0.." + (classNames.size() - 1));
      }
    }
    this.source = source;
    this.kind = kind;
    this.features = features;
    this.rows = rows;
    this.dim = dim;
    this.labels = labels;
    this.classNames = List.copyOf(classNames);
    this.imageShape = imageShape == null ? null : imageShape.clone();
  }

  /** Where the data came from, for messages. */
  public String source() {
    return source;
  }

  public Kind kind() {
    return kind;
  }

  /** (rows, dim) row-major; do not modify. */
  public float[] features() {
    return features;
  }

  public int rows() {
    return rows;
  }

  public int dim() {
    return dim;
  }

  /** (rows) class ids; do not modify. */
  public int[] labels() {
    return labels;
  }

  /** Class names by id. */
  public List<String> classNames() {
    return classNames;
  }

  /** Number of class ids (some may have no rows in this split). */
  public int classCount() {
    return classNames.size();
  }

  /** {height, width} for images, else null. */
  public int[] imageShape() {
    return imageShape == null ? null : imageShape.clone();
  }

  /** Rows per class id. */
  public int[] classCounts() {
    int[] counts = new int[classNames.size()];
    for (int label : labels) {
      counts[label]++;
    }
    return counts;
  }

  /** The rows at the given indices, in that order. */
  public Dataset subset(int[] indices, String name) {
    requireNonNull("indices", indices);
    if ((long) indices.length * dim > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(indices.length + " rows of dim " + dim
          + " exceed one array, expected at most " + (Integer.MAX_VALUE - 8) + " values");
    }
    float[] f = new float[indices.length * dim];
    int[] l = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int r = indices[i];
      if (r < 0 || r >= rows) {
        throw new IllegalArgumentException("indices[" + i + "]=" + r + ", expected 0.."
            + (rows - 1));
      }
      System.arraycopy(features, r * dim, f, i * dim, dim);
      l[i] = labels[r];
    }
    return new Dataset(name, kind, f, indices.length, dim, l, classNames, imageShape);
  }

  /**
   * A seeded split stratified by class: about {@code testFraction} of each class's rows go to
   * the second dataset (at least one where a class has two or more rows).
   *
   * @return {train, test}
   */
  public Dataset[] split(double testFraction, long seed) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("testFraction=" + testFraction + ", expected (0, 1)");
    }
    SplittableRandom rng = new SplittableRandom(seed);
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classNames.size(); c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < rows; i++) {
      byClass.get(labels[i]).add(i);
    }
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (List<Integer> members : byClass) {
      for (int i = members.size() - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        Integer tmp = members.get(i);
        members.set(i, members.get(j));
        members.set(j, tmp);
      }
      int n = members.size();
      int nTest = n < 2 ? 0 : Math.max(1, (int) Math.round(n * testFraction));
      test.addAll(members.subList(0, nTest));
      train.addAll(members.subList(nTest, n));
    }
    int[] trainIdx = train.stream().mapToInt(Integer::intValue).sorted().toArray();
    int[] testIdx = test.stream().mapToInt(Integer::intValue).sorted().toArray();
    return new Dataset[] {
        subset(trainIdx, source + " (train split)"), subset(testIdx, source + " (test split)")};
  }

  /**
   * This dataset with class ids following {@code names}: a name found there takes its index,
   * a new name is appended after them.
   */
  public Dataset withClassNames(List<String> names) {
    requireNonNull("names", names);
    Map<String, Integer> index = new HashMap<>();
    List<String> merged = new ArrayList<>(names);
    for (int i = 0; i < names.size(); i++) {
      index.put(names.get(i), i);
    }
    int[] map = new int[classNames.size()];
    for (int c = 0; c < classNames.size(); c++) {
      String name = classNames.get(c);
      Integer id = index.get(name);
      if (id == null) {
        id = merged.size();
        merged.add(name);
        index.put(name, id);
      }
      map[c] = id;
    }
    int[] l = new int[rows];
    for (int i = 0; i < rows; i++) {
      l[i] = map[labels[i]];
    }
    return new Dataset(source, kind, features, rows, dim, l, merged, imageShape);
  }

  /** Sorts class names numerically when all are whole numbers, else as text. */
  static List<String> sortedNames(java.util.Collection<String> names) {
    String[] sorted = names.toArray(new String[0]);
    boolean numeric = Arrays.stream(sorted).allMatch(s -> s.matches("-?\\d{1,18}"));
    if (numeric) {
      Arrays.sort(sorted, (x, y) -> Long.compare(Long.parseLong(x), Long.parseLong(y)));
    } else {
      Arrays.sort(sorted);
    }
    return Arrays.asList(sorted);
  }

  @Override
  public String toString() {
    return source + ": " + rows + " rows x " + dim + " features, " + classNames.size()
        + " classes";
  }
}
