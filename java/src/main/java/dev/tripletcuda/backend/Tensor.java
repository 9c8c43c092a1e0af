package dev.tripletcuda.backend;

/**
 * A dense row-major matrix of float32 values owned by one {@link Backend}: on the CPU a slice of a
 * Java array, on a GPU a device allocation. Shapes are (rows, cols); a vector is (n, 1).
 *
 * <p>A tensor returned by {@link Backend#allocate} owns its memory and frees it on
 * {@link #close()}. Views ({@link #rows(int, int)}, {@link #view(long, int, int)}) share the
 * memory of their parent; closing a view does nothing, and a view must not be used after its
 * parent is closed.
 */
public interface Tensor extends AutoCloseable {

  /** Number of rows. */
  int rows();

  /** Number of columns; rows are contiguous, so this is also the row stride. */
  int cols();

  /** rows * cols. */
  default long size() {
    return (long) rows() * cols();
  }

  /** The backend that owns the memory. */
  Backend backend();

  /** A view of rows [start, start + count), sharing memory. */
  Tensor rows(int start, int count);

  /**
   * A view of {@code rows * cols} elements starting {@code offset} elements into this tensor's
   * memory, with a new shape: how one flat parameter buffer is seen as weights and biases.
   */
  Tensor view(long offset, int rows, int cols);

  /** Frees the memory if this tensor owns it; idempotent. */
  @Override
  void close();
}
