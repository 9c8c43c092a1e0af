package dev.tripletcuda.backend.cuda;

import java.util.List;

/** Launches {@code distance_kernels.cu}: squared row norms and pairwise squared L2 tiles. */
final class DistanceKernels {

  static final String MODULE = "distance_kernels";
  static final KernelSignature ROW_SQ_NORMS =
      new KernelSignature(MODULE, "row_sq_norms", "piip");
  static final KernelSignature PAIRWISE =
      new KernelSignature(MODULE, "pairwise_l2_tiled", "ppippiiiipi");
  static final List<KernelSignature> SIGNATURES = List.of(ROW_SQ_NORMS, PAIRWISE);

  private static final int TILE = 64;

  private final Kernel rowSqNorms;
  private final Kernel pairwise;

  DistanceKernels(CudaDevice device) {
    this.rowSqNorms = device.kernel(ROW_SQ_NORMS);
    this.pairwise = device.kernel(PAIRWISE);
  }

  /**
   * out (n) = squared norms of the rows of x (n, d). One warp per row, eight rows per block of
   * 256: a row of an embedding is a few hundred floats, which one warp reads in a few
   * coalesced steps.
   */
  void rowSquaredNorms(DevicePointer x, int n, int d, DevicePointer out) {
    if (n == 0) {
      return;
    }
    rowSqNorms.args.ptr(0, x).i32(1, n).i32(2, d).ptr(3, out);
    rowSqNorms.launch(Launch.ceilDiv(n, Launch.WARPS), 1, Launch.BLOCK, 0);
  }

  /**
   * out (n, m), row pitch ldo: squared L2 distances of x (n, d) against y (m, d) from their
   * squared norms, or with {@code inner} the negated dot products (norms unused). One block per
   * 64 x 64 output tile; taller outputs run in slabs of 65535 tiles' rows, as in the matrix
   * product.
   */
  void pairwise(DevicePointer x, DevicePointer xNorms, int n, DevicePointer y,
      DevicePointer yNorms, int m, int d, boolean inner, boolean self, DevicePointer out,
      int ldo) {
    if (n == 0 || m == 0) {
      return;
    }
    long slabRows = (long) Launch.MAX_GRID_Y * TILE;
    for (long r0 = 0; r0 < n; r0 += slabRows) {
      int rows = (int) Math.min(slabRows, n - r0);
      // In a product of x with itself the diagonal of this slab sits r0 columns right.
      pairwise.args.ptr(0, x.address() + 4L * r0 * d).ptr(1, xNorms.address() + 4L * r0)
          .i32(2, rows).ptr(3, y).ptr(4, yNorms).i32(5, m).i32(6, d).i32(7, inner ? 1 : 0)
          .i32(8, self ? (int) r0 : -1).ptr(9, out.address() + 4L * r0 * ldo)
          .i32(10, ldo);
      pairwise.launch(Launch.ceilDiv(m, TILE), Launch.ceilDiv(rows, TILE), Launch.BLOCK, 0);
    }
  }
}
