package dev.tripletcuda.backend.cuda;

/** Launch-shape arithmetic shared by the launchers. */
final class Launch {

  /** Threads per block of every 1-D kernel. */
  static final int BLOCK = 256;

  /** Warps of 32 threads in a {@link #BLOCK}: rows per block of the warp-per-row kernels. */
  static final int WARPS = BLOCK / 32;

  /**
   * Blocks of a grid-stride loop: enough for one element per thread up to 65536 blocks, which
   * fills any current GPU many times over; beyond that each thread takes several elements.
   */
  static final int MAX_STRIDE_BLOCKS = 65536;

  /** The largest grid y (and z) dimension the hardware allows. */
  static final int MAX_GRID_Y = 65535;

  private Launch() {}

  static int ceilDiv(long a, int b) {
    return (int) ((a + b - 1) / b);
  }

  /** Grid size of a grid-stride loop over {@code elements}; at least 1. */
  static int strideBlocks(long elements) {
    return (int) Math.max(1, Math.min(MAX_STRIDE_BLOCKS, (elements + BLOCK - 1) / BLOCK));
  }
}
