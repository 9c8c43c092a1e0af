package dev.tripletcuda.backend.cuda;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exact k-nearest-neighbour search on the device for any k from 1 to N. Queries go in blocks;
 * for each block the base is walked in tiles of up to {@link TopKKernels#MAX_TILE} rows: one
 * kernel writes the (queries, tile) distances, a second merges them into each query's running
 * list of the k best (distance, index) keys. Memory is one distance tile plus two lists per
 * query block, whatever Q and N are: {@link KnnTiling} sizes the blocks and tiles from the
 * device memory free at the call, so a search that would not fit runs in smaller pieces
 * (slower, same result) or fails with a message naming the bytes needed and free.
 */
final class CudaKnn {

  private static final Logger log = LoggerFactory.getLogger(CudaKnn.class);

  /** The share of the free device memory a search's scratch may take. */
  private static final double FREE_SHARE = 0.75;

  private final CudaBackend backend;
  /** When positive, the bytes a search's scratch may take instead of a share of the free. */
  private long scratchLimit;
  private final DistanceKernels distances;
  private final TopKKernels topk;

  CudaKnn(CudaBackend backend, DistanceKernels distances, TopKKernels topk) {
    this.backend = backend;
    this.distances = distances;
    this.topk = topk;
  }

  /**
   * Caps the scratch of later searches at {@code bytes} (0: no cap beyond the free memory), so
   * that the tests can make a search split as it would on a nearly full device.
   */
  void limitScratch(long bytes) {
    scratchLimit = bytes;
  }

  /**
   * @param q (nq, d) queries
   * @param base (n, d)
   * @param baseNorms (n) squared norms of base, or null with inner
   * @param outIdx (nq * k), outDist (nq, k)
   */
  void search(DevicePointer q, int nq, DevicePointer base, int n, int d,
      DevicePointer baseNorms, int k, boolean inner, DevicePointer outIdx,
      DevicePointer outDist) {
    // Scratch this search already holds is reused, so it counts as available.
    long available = backend.scratchBytes(CudaBackend.Scratch.KNN_DIST,
        CudaBackend.Scratch.KNN_LIST_A, CudaBackend.Scratch.KNN_LIST_B,
        CudaBackend.Scratch.KNN_QUERY_NORMS) + (long) (FREE_SHARE * backend.freeDeviceMemory());
    if (scratchLimit > 0) {
      available = Math.min(available, scratchLimit);
    }
    KnnTiling plan = KnnTiling.plan(nq, n, k, available);
    int tile = plan.baseTile();
    int block = plan.queryBlock();
    if (tile < Math.min(n, TopKKernels.MAX_TILE)
        || block < Math.min(nq, KnnTiling.MAX_QUERY_BLOCK)) {
      log.debug("kNN of {} queries in {} base rows, k={}: blocks of {} queries, tiles of {} "
          + "rows ({} bytes available)", nq, n, k, block, tile, available);
    }
    DevicePointer dist = backend.scratch(CudaBackend.Scratch.KNN_DIST, 4L * block * tile);
    DevicePointer listA = backend.scratch(CudaBackend.Scratch.KNN_LIST_A, 8L * block * k);
    DevicePointer listB = backend.scratch(CudaBackend.Scratch.KNN_LIST_B, 8L * block * k);
    DevicePointer qNorms = backend.scratch(CudaBackend.Scratch.KNN_QUERY_NORMS, 4L * block);
    // The inner-product distance reads no norms; any valid pointer fills the argument.
    DevicePointer bNorms = inner ? qNorms : baseNorms;

    for (int q0 = 0; q0 < nq; q0 += block) {
      int rows = Math.min(block, nq - q0);
      DevicePointer qBlock = q.offset(4L * q0 * d);
      if (!inner) {
        distances.rowSquaredNorms(qBlock, rows, d, qNorms);
      }
      DevicePointer in = listA;
      DevicePointer out = listB;
      int listLen = 0;
      for (int t0 = 0; t0 < n; t0 += tile) {
        int cols = Math.min(tile, n - t0);
        distances.pairwise(qBlock, qNorms, rows, base.offset(4L * t0 * d),
            inner ? bNorms : bNorms.offset(4L * t0), cols, d, inner, false, dist, cols);
        topk.merge(dist, cols, rows, cols, t0, k, listLen, in, out);
        listLen = Math.min(k, listLen + cols);
        DevicePointer swap = in;
        in = out;
        out = swap;
      }
      topk.write(in, rows, k, outIdx.offset(4L * q0 * k), outDist.offset(4L * q0 * k));
    }
  }
}
