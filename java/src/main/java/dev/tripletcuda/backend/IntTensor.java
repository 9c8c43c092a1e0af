package dev.tripletcuda.backend;

/**
 * A vector of int32 values owned by one {@link Backend}: labels, row indices, triplet indices
 * and neighbour ids. Closing frees the memory; idempotent.
 */
public interface IntTensor extends AutoCloseable {

  /** Number of elements. */
  int length();

  /** The backend that owns the memory. */
  Backend backend();

  /** A view of elements [start, start + count), sharing memory; closing it does nothing. */
  IntTensor slice(int start, int count);

  @Override
  void close();
}
