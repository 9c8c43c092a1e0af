package dev.tripletcuda.backend.cuda;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Shapes;

/** A window of int32 values onto a device allocation. */
final class CudaIntTensor implements IntTensor {

  private final CudaBackend owner;
  final DeviceBuffer buffer;
  /** The first element of this vector. */
  final DevicePointer pointer;
  private final long offset;
  private final int length;
  private final boolean owning;

  CudaIntTensor(CudaBackend owner, DeviceBuffer buffer, long offset, int length,
      boolean owning) {
    this.owner = owner;
    this.buffer = buffer;
    this.offset = offset;
    this.pointer = buffer.pointer.offset(4L * offset);
    this.length = length;
    this.owning = owning;
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public Backend backend() {
    return owner;
  }

  @Override
  public IntTensor slice(int start, int count) {
    Shapes.requireSliceRange(start, count, length);
    return new CudaIntTensor(owner, buffer, offset + start, count, false);
  }

  @Override
  public void close() {
    if (owning) {
      owner.release(buffer);
    }
  }

  @Override
  public String toString() {
    return "cuda int tensor (" + length + ")";
  }
}
