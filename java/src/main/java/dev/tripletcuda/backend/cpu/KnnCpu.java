package dev.tripletcuda.backend.cpu;

/**
 * Exact k-nearest-neighbour search on the CPU, in passes over blocks of queries. Each pass walks
 * the base in tiles: one matrix product gives the (queries, tile) block of -2 q . x (split over
 * the threads by {@link GemmBlocked}), then the threads scan disjoint query rows of it, add the
 * norms and offer each distance to that query's bounded max-heap of the k best ({@link KnnScan}
 * skips, a vector at a time, the candidates that cannot enter a full heap). Memory is one
 * distance tile of at most {@link #TILE_ELEMENTS} floats and the heaps of one pass, whatever Q
 * and N are.
 *
 * <p>Candidates reach a heap in increasing base index, so a candidate equal in distance to the
 * worst kept one is the later index and is refused: ties go to the lower index. The products
 * accumulate each element in a fixed order, so results do not depend on the thread count.
 */
final class KnnCpu {

  /** Floats in one distance tile (queries of a pass x base rows of a tile): 2 MiB. */
  static final int TILE_ELEMENTS = 1 << 19;

  /** Queries per pass at most: the rows of the distance tile. */
  static final int PASS_ROWS = 1024;

  /** Heap entries (queries per pass times k) one pass may hold. */
  static final int HEAP_BUDGET = 1 << 22;

  /** Fewest base rows per tile, so that a large k still gets wide products. */
  static final int MIN_TILE = 64;

  private final WorkerPool pool;
  private final GemmBlocked gemm;
  private final KnnScan scan;

  KnnCpu(WorkerPool pool, GemmBlocked gemm, KnnScan scan) {
    this.pool = pool;
    this.gemm = gemm;
    this.scan = scan;
  }

  void search(CpuTensor q, CpuTensor base, CpuTensor baseNorms, int k, boolean innerProduct,
      CpuIntTensor outIdx, CpuTensor outDist) {
    int nq = q.rows();
    int n = base.rows();
    int d = q.cols();
    if (nq == 0) {
      return;
    }
    int pass = Math.max(1, Math.min(nq, Math.min(PASS_ROWS, HEAP_BUDGET / k)));
    int tile = Math.min(n, Math.max(MIN_TILE, TILE_ELEMENTS / pass));
    float[] dist = new float[pass * tile];
    float[] heapDist = new float[pass * k];
    int[] heapIdx = new int[pass * k];
    int[] heapSize = new int[pass];
    float[] qNorms = new float[pass];
    int parts = Math.min(pass, 4 * pool.threads());

    for (int q0 = 0; q0 < nq; q0 += pass) {
      int rows = Math.min(pass, nq - q0);
      java.util.Arrays.fill(heapSize, 0);
      if (!innerProduct) {
        CpuBackend.squaredNorms((CpuTensor) q.rows(q0, rows), qNorms, 0);
      }
      int rowsPerPart = GemmBlocked.ceilDiv(rows, parts);

      for (int t0 = 0; t0 < n; t0 += tile) {
        int cols = Math.min(tile, n - t0);
        int c0 = t0;
        // dist (rows, cols) = -2 Q B^T, or -Q B^T for the inner product.
        gemm.gemm(false, true, rows, cols, d, innerProduct ? -1f : -2f, q.data,
            q.offset + q0 * d, d, base.data, base.offset + t0 * d, d, 0f, dist, 0, cols);
        pool.run(parts, part -> {
          int r1 = Math.min(rows, (part + 1) * rowsPerPart);
          for (int r = part * rowsPerPart; r < r1; r++) {
            offerRow(dist, r * cols, cols, c0, innerProduct ? 0f : qNorms[r], innerProduct,
                baseNorms, heapDist, heapIdx, heapSize, r, k);
          }
        });
      }

      // Pop the heaps worst-first into ascending order.
      int first = q0;
      pool.run(parts, part -> {
        int r1 = Math.min(rows, (part + 1) * rowsPerPart);
        for (int r = part * rowsPerPart; r < r1; r++) {
          int h = r * k;
          int out = (first + r) * k;
          for (int size = k; size > 0; size--) {
            outDist.data[outDist.offset + out + size - 1] = heapDist[h];
            outIdx.data[outIdx.offset + out + size - 1] = heapIdx[h];
            popTop(heapDist, heapIdx, h, size);
          }
        }
      });
    }
  }

  /** Offers one query's row of a distance tile, base rows c0 .. c0+cols, to its heap. */
  private void offerRow(float[] dist, int row, int cols, int c0, float qNorm,
      boolean innerProduct, CpuTensor baseNorms, float[] heapDist, int[] heapIdx,
      int[] heapSize, int r, int k) {
    int h = r * k;
    int size = heapSize[r];
    float[] bn = innerProduct ? null : baseNorms.data;
    int bo = innerProduct ? 0 : baseNorms.offset + c0;

    // Fill: the first k candidates of the query enter unconditionally.
    int c = 0;
    for (; c < cols && size < k; c++) {
      push(heapDist, heapIdx, h, size++, KnnScan.distance(dist, row, c, qNorm, bn, bo), c0 + c);
    }
    heapSize[r] = size;

    // Full: the heap's top is the bar a candidate must beat.
    while (c < cols) {
      c = scan.firstBelow(dist, row, c, cols, qNorm, bn, bo, heapDist[h]);
      if (c < cols) {
        replaceTop(heapDist, heapIdx, h, k, KnnScan.distance(dist, row, c, qNorm, bn, bo),
            c0 + c);
        c++;
      }
    }
  }

  // A max-heap by (distance, index) over heapDist/heapIdx[h .. h+size).

  private static boolean worse(float da, int ia, float db, int ib) {
    return da > db || (da == db && ia > ib);
  }

  private static void push(float[] hd, int[] hi, int h, int size, float v, int idx) {
    int i = size;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!worse(v, idx, hd[h + parent], hi[h + parent])) {
        break;
      }
      hd[h + i] = hd[h + parent];
      hi[h + i] = hi[h + parent];
      i = parent;
    }
    hd[h + i] = v;
    hi[h + i] = idx;
  }

  private static void replaceTop(float[] hd, int[] hi, int h, int size, float v, int idx) {
    siftDown(hd, hi, h, size, 0, v, idx);
  }

  private static void popTop(float[] hd, int[] hi, int h, int size) {
    int last = size - 1;
    if (last > 0) {
      siftDown(hd, hi, h, last, 0, hd[h + last], hi[h + last]);
    }
  }

  private static void siftDown(float[] hd, int[] hi, int h, int size, int i, float v, int idx) {
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      int right = child + 1;
      if (right < size && worse(hd[h + right], hi[h + right], hd[h + child], hi[h + child])) {
        child = right;
      }
      if (!worse(hd[h + child], hi[h + child], v, idx)) {
        break;
      }
      hd[h + i] = hd[h + child];
      hi[h + i] = hi[h + child];
      i = child;
    }
    hd[h + i] = v;
    hi[h + i] = idx;
  }
}
