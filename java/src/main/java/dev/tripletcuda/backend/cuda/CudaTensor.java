package dev.tripletcuda.backend.cuda;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Shapes;
import dev.tripletcuda.backend.Tensor;

/** A (rows, cols) row-major float32 window onto a device allocation. */
final class CudaTensor implements Tensor {

  private final CudaBackend owner;
  final DeviceBuffer buffer;
  /** The first element of this tensor. */
  final DevicePointer pointer;
  /** Elements between the start of the allocation and the first element of this tensor. */
  private final long offset;
  private final int rows;
  private final int cols;
  private final boolean owning;

  CudaTensor(CudaBackend owner, DeviceBuffer buffer, long offset, int rows, int cols,
      boolean owning) {
    this.owner = owner;
    this.buffer = buffer;
    this.offset = offset;
    this.pointer = buffer.pointer.offset(4L * offset);
    this.rows = rows;
    this.cols = cols;
    this.owning = owning;
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
    return new CudaTensor(owner, buffer, offset + (long) start * cols, count, cols, false);
  }

  @Override
  public Tensor view(long viewOffset, int viewRows, int viewCols) {
    Shapes.requireViewRange(viewOffset, viewRows, viewCols, rows, cols);
    return new CudaTensor(owner, buffer, offset + viewOffset, viewRows, viewCols, false);
  }

  @Override
  public void close() {
    if (owning) {
      owner.release(buffer);
    }
  }

  @Override
  public String toString() {
    return "cuda tensor (" + rows + ", " + cols + ")";
  }
}
