package dev.tripletcuda.backend.cuda;

import java.util.List;

/** Launches {@code topk_kernels.cu}: merges a tile's distances into running top-k lists. */
final class TopKKernels {

  static final String MODULE = "topk_kernels";
  static final KernelSignature TILE_MERGE =
      new KernelSignature(MODULE, "topk_tile_merge", "piiiiippi");
  static final KernelSignature WRITE = new KernelSignature(MODULE, "topk_write", "piipp");
  static final List<KernelSignature> SIGNATURES = List.of(TILE_MERGE, WRITE);

  /** Base rows per tile at most: the sort of one tile's keys fits in 16 KiB of shared memory. */
  static final int MAX_TILE = 2048;

  private final Kernel merge;
  private final Kernel write;

  TopKKernels(CudaDevice device) {
    this.merge = device.kernel(TILE_MERGE);
    this.write = device.kernel(WRITE);
  }

  /**
   * For each of {@code queries} rows of dist (pitch ldd) holding the distances to base rows
   * col0 .. col0 + cols: listOut (queries, k) = the best k of listIn's first listLen keys and
   * the tile's. One block per query; the tile's keys, padded to a power of two, are sorted in
   * dynamic shared memory (8 bytes each).
   */
  void merge(DevicePointer dist, int ldd, int queries, int cols, int col0, int k, int listLen,
      DevicePointer listIn, DevicePointer listOut) {
    if (cols > MAX_TILE) {
      throw new IllegalArgumentException("tile of " + cols + " columns, expected at most "
          + MAX_TILE);
    }
    int sortSize = Integer.highestOneBit(Math.max(1, cols));
    if (sortSize < cols) {
      sortSize <<= 1;
    }
    merge.args.ptr(0, dist).i32(1, ldd).i32(2, cols).i32(3, col0).i32(4, k).i32(5, listLen)
        .ptr(6, listIn).ptr(7, listOut).i32(8, sortSize);
    merge.launch(queries, 1, Launch.BLOCK, 8 * sortSize);
  }

  /** outIdx, outDist (rows, k) unpacked from list (rows, k); grid-stride. */
  void write(DevicePointer list, int rows, int k, DevicePointer outIdx, DevicePointer outDist) {
    long total = (long) rows * k;
    write.args.ptr(0, list).i32(1, rows).i32(2, k).ptr(3, outIdx).ptr(4, outDist);
    write.launch(Launch.strideBlocks(total), 1, Launch.BLOCK, 0);
  }
}
