package dev.tripletcuda.backend.cuda;

import java.util.List;

/**
 * Launches {@code gemm_tiled.cu}: the engine's own FP32 matrix product, used where cuBLAS cannot
 * be loaded (or is switched off), and for products with an empty inner dimension.
 */
final class GemmTiled implements DeviceGemm {

  static final String MODULE = "gemm_tiled";
  static final KernelSignature GEMM =
      new KernelSignature(MODULE, "gemm_tiled_64x64", "iiiiifpipifpi");
  static final List<KernelSignature> SIGNATURES = List.of(GEMM);

  /** Output tile edge of the kernel. */
  private static final int TILE = 64;

  private final Kernel kernel;

  GemmTiled(CudaDevice device) {
    this.kernel = device.kernel(GEMM);
  }

  /**
   * One block per 64 x 64 tile of c, 256 threads each: grid x walks the column tiles, grid y
   * the row tiles. Grid y is capped by the hardware at 65535, so taller products run in
   * slabs of 65535 x 64 rows, each slab's a and c addressed from its first row.
   */
  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      DevicePointer a, int lda, DevicePointer b, int ldb, float beta, DevicePointer c, int ldc) {
    long slabRows = (long) Launch.MAX_GRID_Y * TILE;
    for (long r0 = 0; r0 < m; r0 += slabRows) {
      int rows = (int) Math.min(slabRows, m - r0);
      // op(a) row r0 is a row of a, or a column when a is transposed.
      long aOffset = transA ? 4L * r0 : 4L * r0 * lda;
      kernel.args.i32(0, transA ? 1 : 0).i32(1, transB ? 1 : 0).i32(2, rows).i32(3, n)
          .i32(4, k).f32(5, alpha).ptr(6, a.address() + aOffset).i32(7, lda)
          .ptr(8, b).i32(9, ldb).f32(10, beta).ptr(11, c.address() + 4L * r0 * ldc)
          .i32(12, ldc);
      kernel.launch(Launch.ceilDiv(n, TILE), Launch.ceilDiv(rows, TILE), Launch.BLOCK, 0);
    }
  }

  @Override
  public String describe() {
    return "tiled SGEMM kernel";
  }
}
