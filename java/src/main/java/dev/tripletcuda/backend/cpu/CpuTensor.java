package dev.tripletcuda.backend.cpu;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Shapes;
import dev.tripletcuda.backend.Tensor;

/** A (rows, cols) row-major window onto a Java float array. */
final class CpuTensor implements Tensor {

  final float[] data;
  final int offset;
  private final int rows;
  private final int cols;
  private final CpuBackend owner;
  /** Null for a view; for an allocation, whether it has been closed. */
  private final boolean[] closed;

  private CpuTensor(CpuBackend owner, float[] data, int offset, int rows, int cols,
      boolean owning) {
    this.owner = owner;
    this.data = data;
    this.offset = offset;
    this.rows = rows;
    this.cols = cols;
    this.closed = owning ? new boolean[1] : null;
  }

  static CpuTensor allocate(CpuBackend owner, int rows, int cols) {
    long size = (long) rows * cols;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor (" + rows + ", " + cols + ") holds " + size
          + " floats, more than one Java array can (2^31 - 9)");
    }
    return new CpuTensor(owner, new float[(int) size], 0, rows, cols, true);
  }

  /** A tensor over an array someone else accounts for; closing it frees nothing. */
  static CpuTensor wrap(CpuBackend owner, float[] data, int rows, int cols) {
    return new CpuTensor(owner, data, 0, rows, cols, false);
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public Backend backend() {
    return owner;
  }

  @Override
  public Tensor rows(int start, int count) {
    Shapes.requireRowRange(start, count, rows);
    return new CpuTensor(owner, data, offset + start * cols, count, cols, false);
  }

  @Override
  public Tensor view(long viewOffset, int viewRows, int viewCols) {
    Shapes.requireViewRange(viewOffset, viewRows, viewCols, rows, cols);
    return new CpuTensor(owner, data, offset + (int) viewOffset, viewRows, viewCols, false);
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
    return "cpu tensor (" + rows + ", " + cols + ")";
  }
}
