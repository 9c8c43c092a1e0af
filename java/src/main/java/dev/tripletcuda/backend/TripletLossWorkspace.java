package dev.tripletcuda.backend;

/**
 * Scratch memory one backend needs for the mined triplet loss: the (B, B) distance and
 * coefficient matrices and the per-anchor counts. Allocated once for the largest batch, so the
 * training loop allocates nothing per batch.
 */
public interface TripletLossWorkspace extends AutoCloseable {

  /** The largest batch this workspace serves. */
  int capacity();

  @Override
  void close();
}
