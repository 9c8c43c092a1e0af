package dev.tripletcuda.backend.cuda;

import java.util.List;

/**
 * Launches {@code layer_kernels.cu}: bias + activation, the ReLU backward, column sums, row
 * gathers and the row L2-normalisation forward and backward.
 */
final class LayerKernels {

  static final String MODULE = "layer_kernels";
  static final KernelSignature BIAS_ACTIVATION =
      new KernelSignature(MODULE, "bias_activation", "piipi");
  static final KernelSignature RELU_BACKWARD =
      new KernelSignature(MODULE, "relu_backward", "ppl");
  static final KernelSignature COLUMN_SUMS = new KernelSignature(MODULE, "column_sums", "piip");
  static final KernelSignature GATHER_ROWS =
      new KernelSignature(MODULE, "gather_rows", "piipipp");
  static final KernelSignature L2_NORMALIZE =
      new KernelSignature(MODULE, "l2_normalize_rows", "piipp");
  static final KernelSignature L2_NORMALIZE_BACKWARD =
      new KernelSignature(MODULE, "l2_normalize_rows_backward", "pppiip");
  static final List<KernelSignature> SIGNATURES = List.of(BIAS_ACTIVATION, RELU_BACKWARD,
      COLUMN_SUMS, GATHER_ROWS, L2_NORMALIZE, L2_NORMALIZE_BACKWARD);

  private final CudaDevice device;
  private final Kernel biasActivation;
  private final Kernel reluBackward;
  private final Kernel columnSums;
  private final Kernel gatherRows;
  private final Kernel l2Normalize;
  private final Kernel l2NormalizeBackward;

  LayerKernels(CudaDevice device) {
    this.device = device;
    this.biasActivation = device.kernel(BIAS_ACTIVATION);
    this.reluBackward = device.kernel(RELU_BACKWARD);
    this.columnSums = device.kernel(COLUMN_SUMS);
    this.gatherRows = device.kernel(GATHER_ROWS);
    this.l2Normalize = device.kernel(L2_NORMALIZE);
    this.l2NormalizeBackward = device.kernel(L2_NORMALIZE_BACKWARD);
  }

  /** In place on z (rows, cols): act(z + bias). Grid-stride, one element per thread. */
  void biasActivation(DevicePointer z, int rows, int cols, DevicePointer bias, boolean relu) {
    long total = (long) rows * cols;
    if (total == 0) {
      return;
    }
    biasActivation.args.ptr(0, z).i32(1, rows).i32(2, cols).ptr(3, bias).i32(4, relu ? 1 : 0);
    biasActivation.launch(Launch.strideBlocks(total), 1, Launch.BLOCK, 0);
  }

  /** In place on grad (size): zero where activated (size) is not above 0. Grid-stride. */
  void reluBackward(DevicePointer grad, DevicePointer activated, long size) {
    if (size == 0) {
      return;
    }
    reluBackward.args.ptr(0, grad).ptr(1, activated).i64(2, size);
    reluBackward.launch(Launch.strideBlocks(size), 1, Launch.BLOCK, 0);
  }

  /**
   * out (cols) = column sums of x (rows, cols). One thread per column walking the rows in
   * order, which reproduces the CPU's sums bit for bit; the bias gradients it serves have a
   * few hundred columns and a batch of rows.
   */
  void columnSums(DevicePointer x, int rows, int cols, DevicePointer out) {
    if (cols == 0) {
      return;
    }
    columnSums.args.ptr(0, x).i32(1, rows).i32(2, cols).ptr(3, out);
    columnSums.launch(Launch.ceilDiv(cols, Launch.BLOCK), 1, Launch.BLOCK, 0);
  }

  /**
   * dst (count, cols) row i = src (srcRows, cols) row idx[i]. Grid-stride over the output; a
   * bad index is reported through the device's fault word at the next synchronisation.
   */
  void gatherRows(DevicePointer src, int srcRows, int cols, DevicePointer idx, int count,
      DevicePointer dst) {
    long total = (long) count * cols;
    if (total == 0) {
      return;
    }
    gatherRows.args.ptr(0, src).i32(1, srcRows).i32(2, cols).ptr(3, idx).i32(4, count)
        .ptr(5, dst).ptr(6, device.faultPointer());
    gatherRows.launch(Launch.strideBlocks(total), 1, Launch.BLOCK, 0);
  }

  /** y (rows, d) = x / norms, norms (rows). One warp per row, eight rows per block. */
  void l2Normalize(DevicePointer x, int rows, int d, DevicePointer y, DevicePointer norms) {
    if (rows == 0) {
      return;
    }
    l2Normalize.args.ptr(0, x).i32(1, rows).i32(2, d).ptr(3, y).ptr(4, norms);
    l2Normalize.launch(Launch.ceilDiv(rows, Launch.WARPS), 1, Launch.BLOCK, 0);
  }

  /** gx (rows, d) from y, norms and gy. One warp per row, eight rows per block. */
  void l2NormalizeBackward(DevicePointer y, DevicePointer norms, DevicePointer gy, int rows,
      int d, DevicePointer gx) {
    if (rows == 0) {
      return;
    }
    l2NormalizeBackward.args.ptr(0, y).ptr(1, norms).ptr(2, gy).i32(3, rows).i32(4, d)
        .ptr(5, gx);
    l2NormalizeBackward.launch(Launch.ceilDiv(rows, Launch.WARPS), 1, Launch.BLOCK, 0);
  }
}
