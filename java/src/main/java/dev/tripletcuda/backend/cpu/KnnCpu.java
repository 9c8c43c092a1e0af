package dev.tripletcuda.backend.cpu;

/**
 * Exact k-nearest-neighbour search on the CPU. Queries are split into blocks, one block per
 * parallel part; each part walks the base in tiles, computes a (queries, tile) distance block
 * with one matrix product plus the norms, and keeps the k best of each query in a bounded
 * max-heap. Memory per part is one distance tile and the heaps, whatever Q and N are.
 *
 * <p>Candidates reach a heap in increasing base index, so a candidate equal in distance to the
 * worst kept one is the later index and is refused: ties go to the lower index without a
 * comparison on indices.
 */
final class KnnCpu {

  /** Base rows per distance tile. */
  private static final int TILE = 2048;

  /** Heap entries (queries per block times k) one part may hold. */
  private static final int HEAP_BUDGET = 1 << 20;

  private final WorkerPool pool;
  private final GemmBlocked gemm;

  KnnCpu(CpuBackend backend, WorkerPool pool, GemmBlocked gemm) {
    this.pool = pool;
    this.gemm = gemm;
  }

  void search(CpuTensor q, CpuTensor base, CpuTensor baseNorms, int k, boolean innerProduct,
      CpuIntTensor outIdx, CpuTensor outDist) {
    int nq = q.rows();
    int n = base.rows();
    int d = q.cols();
    if (nq == 0) {
      return;
    }
    int block = Math.max(1, Math.min(256, HEAP_BUDGET / k));
    int blocks = GemmBlocked.ceilDiv(nq, block);
    int tile = Math.min(TILE, n);

    pool.run(blocks, part -> {
      int q0 = part * block;
      int rows = Math.min(block, nq - q0);
      float[] dist = new float[rows * tile];
      float[] heapDist = new float[rows * k];
      int[] heapIdx = new int[rows * k];
      int[] heapSize = new int[rows];
      float[] qNorms = new float[rows];
      if (!innerProduct) {
        CpuBackend.squaredNorms((CpuTensor) q.rows(q0, rows), qNorms, 0);
      }

      for (int t0 = 0; t0 < n; t0 += tile) {
        int cols = Math.min(tile, n - t0);
        // dist (rows, cols) = -2 Q B^T, or -Q B^T for the inner product.
        gemmSerial(rows, cols, d, innerProduct ? -1f : -2f, q, q0, base, t0, dist);
        for (int r = 0; r < rows; r++) {
          int h = r * k;
          int row = r * cols;
          for (int c = 0; c < cols; c++) {
            float v = dist[row + c];
            if (!innerProduct) {
              v = Math.max(v + qNorms[r] + baseNorms.data[baseNorms.offset + t0 + c], 0f);
            }
            int size = heapSize[r];
            if (size < k) {
              push(heapDist, heapIdx, h, size, v, t0 + c);
              heapSize[r] = size + 1;
            } else if (v < heapDist[h]) {
              replaceTop(heapDist, heapIdx, h, k, v, t0 + c);
            }
          }
        }
      }

      // Pop the heaps worst-first into ascending order.
      for (int r = 0; r < rows; r++) {
        int h = r * k;
        int out = (q0 + r) * k;
        for (int size = k; size > 0; size--) {
          outDist.data[outDist.offset + out + size - 1] = heapDist[h];
          outIdx.data[outIdx.offset + out + size - 1] = heapIdx[h];
          popTop(heapDist, heapIdx, h, size);
        }
      }
    });
  }

  /** dist (rows, cols) = alpha * Q[q0..] B[t0..]^T, on the calling thread. */
  private void gemmSerial(int rows, int cols, int d, float alpha, CpuTensor q, int q0,
      CpuTensor base, int t0, float[] dist) {
    gemm.gemmSerial(false, true, rows, cols, d, alpha, q.data, q.offset + q0 * d, d,
        base.data, base.offset + t0 * d, d, 0f, dist, 0, cols);
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
