package dev.tripletcuda.backend.cpu;

/**
 * The filter of the kNN scan: finds, in one query's row of a distance tile, the next candidate
 * that beats the worst of the k kept so far. Once a heap is full almost no candidate does (about
 * k ln(N / k) of N), so the scan spends its time here, and {@link KnnScanPanama} tests a whole
 * vector of candidates per step. Both compute a candidate's distance exactly as
 * {@link #distance} does, so the choice of filter never changes a result.
 */
class KnnScan {

  /**
   * The distance of candidate c: the squared L2 distance {@code max(dot + qNorm + bn[bo + c], 0)}
   * when {@code bn} is given, where {@code dot} holds -2 q . x; the tile's value itself (minus the
   * inner product) when {@code bn} is null.
   */
  static float distance(float[] dist, int row, int c, float qNorm, float[] bn, int bo) {
    return bn == null ? dist[row + c] : Math.max(dist[row + c] + qNorm + bn[bo + c], 0f);
  }

  /**
   * The first c in [from, to) whose {@link #distance} is below {@code bar}, or {@code to} when
   * there is none.
   *
   * @param dist the tile; candidate c of this query at {@code dist[row + c]}
   * @param bn the base rows' squared norms, candidate c at {@code bn[bo + c]}; null for the
   *     inner product
   */
  int firstBelow(float[] dist, int row, int from, int to, float qNorm, float[] bn, int bo,
      float bar) {
    for (int c = from; c < to; c++) {
      if (distance(dist, row, c, qNorm, bn, bo) < bar) {
        return c;
      }
    }
    return to;
  }
}
