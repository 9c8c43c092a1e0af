package dev.tripletcuda.backend.cuda;

import dev.tripletcuda.backend.TripletLossWorkspace;

/**
 * Device scratch for the mined triplet loss on batches of up to B rows, allocated once: the
 * (B, B) distances (later S = C + C^T), the (B, B) coefficients C, the (B, B) semi-hard
 * selections, the (B) norms (later the row sums of S), the (B) per-anchor partial sums and the
 * result record. O(B^2) memory for every mining mode.
 */
final class CudaLossWorkspace implements TripletLossWorkspace {

  final int capacity;
  /** (B, B) floats: squared distances, then S. */
  final DeviceBuffer dist;
  /** (B, B) floats: C. */
  final DeviceBuffer coef;
  /** (B, B) ints: the negative each (anchor, positive) selected, semi-hard only. */
  final DeviceBuffer selected;
  /** (B) floats: squared norms, then the row sums of S. */
  final DeviceBuffer norms;
  /** (B) LossPartial records. */
  final DeviceBuffer partials;
  /** One LossResult record. */
  final DeviceBuffer result;

  private final CudaBackend owner;
  private boolean closed;

  CudaLossWorkspace(CudaBackend owner, int capacity) {
    this.owner = owner;
    this.capacity = capacity;
    long square = (long) capacity * capacity;
    DeviceBuffer[] made = new DeviceBuffer[6];
    try {
      made[0] = owner.scratchBuffer(4 * square, "the loss workspace's distances");
      made[1] = owner.scratchBuffer(4 * square, "the loss workspace's coefficients");
      made[2] = owner.scratchBuffer(4 * square, "the loss workspace's selections");
      made[3] = owner.scratchBuffer(4L * capacity, "the loss workspace's norms");
      made[4] = owner.scratchBuffer((long) TripletLossKernels.PARTIAL_BYTES * capacity,
          "the loss workspace's partial sums");
      made[5] = owner.scratchBuffer(TripletLossKernels.RESULT_BYTES,
          "the loss workspace's result");
    } catch (RuntimeException e) {
      for (DeviceBuffer b : made) {
        if (b != null) {
          owner.release(b);
        }
      }
      throw e;
    }
    dist = made[0];
    coef = made[1];
    selected = made[2];
    norms = made[3];
    partials = made[4];
    result = made[5];
    owner.counted(+1, bytes());
  }

  long bytes() {
    return dist.bytes + coef.bytes + selected.bytes + norms.bytes + partials.bytes
        + result.bytes;
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      owner.release(dist);
      owner.release(coef);
      owner.release(selected);
      owner.release(norms);
      owner.release(partials);
      owner.release(result);
      owner.counted(-1, -bytes());
    }
  }

  boolean isClosed() {
    return closed;
  }
}
