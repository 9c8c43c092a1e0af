package dev.tripletcuda.backend.cuda;

/**
 * Exact k-nearest-neighbour search on the device for any k from 1 to N. Queries go in blocks;
 * for each block the base is walked in tiles of up to {@link TopKKernels#MAX_TILE} rows: one
 * kernel writes the (queries, tile) distances, a second merges them into each query's running
 * list of the k best (distance, index) keys. Memory is one distance tile plus two lists per
 * query block, whatever Q and N are: the query block shrinks as k grows.
 */
final class CudaKnn {

  /** Bytes the two running lists of a query block may take (16 bytes per query per k). */
  private static final long LIST_BUDGET = 128L << 20;

  /** Queries per block at most: 4096 x 2048 distances are 32 MiB. */
  private static final int MAX_QUERY_BLOCK = 4096;

  private final CudaBackend backend;
  private final DistanceKernels distances;
  private final TopKKernels topk;

  CudaKnn(CudaBackend backend, DistanceKernels distances, TopKKernels topk) {
    this.backend = backend;
    this.distances = distances;
    this.topk = topk;
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
    int tile = Math.min(n, TopKKernels.MAX_TILE);
    int block = (int) Math.max(1, Math.min(Math.min(nq, MAX_QUERY_BLOCK),
        LIST_BUDGET / (16L * k)));
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
