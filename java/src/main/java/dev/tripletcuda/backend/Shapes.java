package dev.tripletcuda.backend;

import dev.tripletcuda.loss.Reduction;

/**
 * Argument checks shared by the backends, so that every shape error reads the same way:
 * the argument, its shape and the shape that was expected.
 */
public final class Shapes {

  private Shapes() {}

  /** Throws unless t is (rows, cols). */
  public static void require(String name, Tensor t, int rows, int cols) {
    requireNonNull(name, t);
    if (t.rows() != rows || t.cols() != cols) {
      throw new IllegalArgumentException(name + " is " + shape(t) + ", expected ("
          + rows + ", " + cols + ")");
    }
  }

  /** Throws unless t has the given number of rows. */
  public static void requireRows(String name, Tensor t, int rows) {
    requireNonNull(name, t);
    if (t.rows() != rows) {
      throw new IllegalArgumentException(name + " is " + shape(t) + ", expected " + rows
          + " rows");
    }
  }

  /** Throws unless t holds exactly n elements in either vector orientation. */
  public static void requireVector(String name, Tensor t, int n) {
    requireNonNull(name, t);
    if (t.size() != n || (t.rows() != 1 && t.cols() != 1)) {
      throw new IllegalArgumentException(name + " is " + shape(t) + ", expected a vector of "
          + n + " elements, (" + n + ", 1) or (1, " + n + ")");
    }
  }

  /** Throws unless two tensors have the same shape. */
  public static void requireSame(String nameA, Tensor a, String nameB, Tensor b) {
    requireNonNull(nameA, a);
    requireNonNull(nameB, b);
    if (a.rows() != b.rows() || a.cols() != b.cols()) {
      throw new IllegalArgumentException(nameA + " is " + shape(a) + " but " + nameB + " is "
          + shape(b) + ", expected the same shape");
    }
  }

  /** Throws unless the int tensor has the given length. */
  public static void requireLength(String name, IntTensor t, int length) {
    requireNonNull(name, t);
    if (t.length() != length) {
      throw new IllegalArgumentException(name + " has " + t.length() + " elements, expected "
          + length);
    }
  }

  /** Throws unless {@code count} elements from {@code offset} fit in an array of length. */
  public static void requireRange(String name, int length, int offset, long count) {
    if (offset < 0 || count < 0 || count > length - (long) offset) {
      throw new IllegalArgumentException(name + " has " + length + " elements, too few for "
          + count + " at offset " + offset);
    }
  }

  /** Throws unless rows [start, start + count) lie in a tensor of {@code rows} rows. */
  public static void requireRowRange(int start, int count, int rows) {
    if (start < 0 || count < 0 || count > rows - start) {
      throw new IllegalArgumentException("rows [" + start + ", " + ((long) start + count)
          + ") out of range for a tensor of " + rows + " rows");
    }
  }

  /** Throws unless a (viewRows, viewCols) view at offset fits in a (rows, cols) tensor. */
  public static void requireViewRange(long offset, int viewRows, int viewCols, int rows,
      int cols) {
    long end = offset + (long) viewRows * viewCols;
    if (offset < 0 || viewRows < 0 || viewCols < 0 || end > (long) rows * cols) {
      throw new IllegalArgumentException("view at offset " + offset + " of shape ("
          + viewRows + ", " + viewCols + ") exceeds the " + (long) rows * cols
          + " elements of (" + rows + ", " + cols + ")");
    }
  }

  /** Throws unless elements [start, start + count) lie in a vector of {@code length} ints. */
  public static void requireSliceRange(int start, int count, int length) {
    if (start < 0 || count < 0 || count > length - start) {
      throw new IllegalArgumentException("slice [" + start + ", " + ((long) start + count)
          + ") out of range for " + length + " ints");
    }
  }

  /**
   * The checks of {@link Backend#gemm}: the inner sizes of op(a) and op(b) agree and c is
   * (m, n).
   */
  public static void requireGemm(boolean transA, boolean transB, Tensor a, Tensor b,
      Tensor c) {
    requireNonNull("a", a);
    requireNonNull("b", b);
    int m = transA ? a.cols() : a.rows();
    int k = transA ? a.rows() : a.cols();
    int kb = transB ? b.cols() : b.rows();
    int n = transB ? b.rows() : b.cols();
    if (k != kb) {
      throw new IllegalArgumentException("gemm inner sizes differ: op(a) is (" + m + ", " + k
          + "), op(b) is (" + kb + ", " + n + ")");
    }
    require("c", c, m, n);
  }

  /** The checks of {@link Backend#tripletLoss} on its tensors, for a workspace of capacity. */
  public static void requireTripletBatch(Tensor embeddings, IntTensor labels, Tensor grad,
      int capacity) {
    requireNonNull("embeddings", embeddings);
    requireLength("labels", labels, embeddings.rows());
    if (grad != null) {
      requireSame("embeddings", embeddings, "grad", grad);
    }
    if (capacity < embeddings.rows()) {
      throw new IllegalArgumentException("batch of " + embeddings.rows()
          + " rows exceeds the workspace capacity " + capacity);
    }
  }

  /** The checks of {@link Backend#tripletLossExplicit}. */
  public static void requireExplicitTriplets(Tensor embeddings, IntTensor anchors,
      IntTensor positives, IntTensor negatives, Reduction reduction, Tensor grad) {
    requireNonNull("embeddings", embeddings);
    requireNonNull("anchors", anchors);
    requireLength("positives", positives, anchors.length());
    requireLength("negatives", negatives, anchors.length());
    requireNonNull("reduction", reduction);
    if (grad != null) {
      requireSame("embeddings", embeddings, "grad", grad);
    }
  }

  /** The checks of {@link Backend#knn}; baseNorms is read only without innerProduct. */
  public static void requireKnn(Tensor queries, Tensor base, Tensor baseNorms, int k,
      boolean innerProduct, IntTensor outIdx, Tensor outDist) {
    requireNonNull("queries", queries);
    requireNonNull("base", base);
    if (queries.cols() != base.cols()) {
      throw new IllegalArgumentException("query dim " + queries.cols() + " != base dim "
          + base.cols());
    }
    if (k < 1 || k > base.rows()) {
      throw new IllegalArgumentException("k=" + k + ", expected 1.." + base.rows()
          + " (the number of base rows)");
    }
    if ((long) queries.rows() * k > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("queries (" + queries.rows() + ") x k (" + k
          + ") exceeds one index buffer, expected at most " + Integer.MAX_VALUE + " results");
    }
    if (!innerProduct) {
      requireVector("baseNorms", baseNorms, base.rows());
    }
    requireLength("outIdx", outIdx, queries.rows() * k);
    require("outDist", outDist, queries.rows(), k);
  }

  /** The checks of {@link Backend#adamStep}. */
  public static void requireAdam(Tensor params, Tensor grads, Tensor m, Tensor v, long step) {
    requireSame("params", params, "grads", grads);
    requireSame("params", params, "m", m);
    requireSame("params", params, "v", v);
    if (step < 1) {
      throw new IllegalArgumentException("step=" + step + ", expected >= 1");
    }
  }

  /** The checks of {@link Backend#sgdStep}. */
  public static void requireSgd(Tensor params, Tensor grads, Tensor velocity) {
    requireSame("params", params, "grads", grads);
    requireSame("params", params, "velocity", velocity);
  }

  /** The checks of {@link Backend#allocate}: sizes >= 0. */
  public static void requireAllocation(int rows, int cols) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("shape (" + rows + ", " + cols
          + "), expected non-negative sizes");
    }
  }

  /** The checks of {@link Backend#allocateInts}: length >= 0. */
  public static void requireIntAllocation(int length) {
    if (length < 0) {
      throw new IllegalArgumentException("length=" + length + ", expected >= 0");
    }
  }

  /** The checks of {@link Backend#allocateTripletLossWorkspace}: maxBatch >= 1. */
  public static void requireWorkspaceCapacity(int maxBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch=" + maxBatch + ", expected >= 1");
    }
  }

  /** The checks of {@link Backend#pairwiseSquaredL2}: equal row sizes, out (x rows, y rows). */
  public static void requirePairwise(Tensor x, Tensor y, Tensor out) {
    requireNonNull("x", x);
    requireNonNull("y", y);
    if (x.cols() != y.cols()) {
      throw new IllegalArgumentException("x is " + shape(x) + " and y is " + shape(y)
          + ": the row dimensions differ");
    }
    require("out", out, x.rows(), y.rows());
  }

  /** Throws IllegalArgumentException naming a null argument. */
  public static <T> T requireNonNull(String name, T value) {
    if (value == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    return value;
  }

  /** "(rows, cols)", or "null". */
  public static String shape(Tensor t) {
    return t == null ? "null" : "(" + t.rows() + ", " + t.cols() + ")";
  }
}
