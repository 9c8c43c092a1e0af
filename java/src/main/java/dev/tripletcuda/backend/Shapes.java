package dev.tripletcuda.backend;

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
