package dev.tripletcuda.backend.cpu;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Shapes;

/** A window onto a Java int array. */
final class CpuIntTensor implements IntTensor {

  final int[] data;
  final int offset;
  private final int length;
  private final CpuBackend owner;
  private final boolean[] closed;

  private CpuIntTensor(CpuBackend owner, int[] data, int offset, int length, boolean owning) {
    this.owner = owner;
    this.data = data;
    this.offset = offset;
    this.length = length;
    this.closed = owning ? new boolean[1] : null;
  }

  static CpuIntTensor allocate(CpuBackend owner, int length) {
    return new CpuIntTensor(owner, new int[length], 0, length, true);
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
    return new CpuIntTensor(owner, data, offset + start, count, false);
  }

  @Override
  public void close() {
    if (closed != null && !closed[0]) {
      closed[0] = true;
      owner.released(4L * data.length);
    }
  }

  @Override
  public String toString() {
    return "cpu int tensor (" + length + ")";
  }
}
