package dev.tripletcuda.backend.cuda;

import java.util.List;

/** Launches {@code reduction_kernels.cu}: sums and sums of squares accumulated in double. */
final class ReductionKernels {

  static final String MODULE = "reduction_kernels";
  static final KernelSignature PARTIALS =
      new KernelSignature(MODULE, "reduce_sum_partials", "plip");
  static final KernelSignature FINAL = new KernelSignature(MODULE, "reduce_sum_final", "pip");
  static final List<KernelSignature> SIGNATURES = List.of(PARTIALS, FINAL);

  /** Blocks of the first pass at most: enough to fill the GPU, few enough for one block after. */
  static final int MAX_PARTIALS = 1024;

  private final Kernel partials;
  private final Kernel last;

  ReductionKernels(CudaDevice device) {
    this.partials = device.kernel(PARTIALS);
    this.last = device.kernel(FINAL);
  }

  /**
   * out[0] (a double) = the sum, or the sum of squares, of x (n). Pass one: up to 1024 blocks
   * of 256 threads each reduce a grid-stride share into scratch (MAX_PARTIALS doubles); pass
   * two: one block adds the partials.
   */
  void sum(DevicePointer x, long n, boolean squares, DevicePointer scratch, DevicePointer out) {
    int blocks = (int) Math.max(1, Math.min(MAX_PARTIALS, (n + Launch.BLOCK - 1) / Launch.BLOCK));
    partials.args.ptr(0, x).i64(1, n).i32(2, squares ? 1 : 0).ptr(3, scratch);
    partials.launch(blocks, 1, Launch.BLOCK, 0);
    last.args.ptr(0, scratch).i32(1, blocks).ptr(2, out);
    last.launch(1, 1, Launch.BLOCK, 0);
  }
}
