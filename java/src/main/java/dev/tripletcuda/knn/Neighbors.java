package dev.tripletcuda.knn;

/**
 * The k nearest index rows of each of Q queries: row-major (Q, k) arrays of index rows and
 * distances, each query's row ascending by distance, ties by the lower index row.
 */
public final class Neighbors {

  private final int queries;
  private final int k;
  /** (Q, k) index rows. */
  private final int[] rows;
  /** (Q, k) distances in the index's metric. */
  private final float[] distances;

  Neighbors(int queries, int k, int[] rows, float[] distances) {
    assert rows.length == (long) queries * k && distances.length == rows.length;
    this.queries = queries;
    this.k = k;
    this.rows = rows;
    this.distances = distances;
  }

  /** Number of queries Q. */
  public int queries() {
    return queries;
  }

  /** Neighbours per query. */
  public int k() {
    return k;
  }

  /** The index row of query q's r-th nearest neighbour (r = 0 is the nearest). */
  public int row(int q, int r) {
    return rows[offset(q, r)];
  }

  /** The distance of query q's r-th nearest neighbour. */
  public float distance(int q, int r) {
    return distances[offset(q, r)];
  }

  /** (Q, k) index rows, a copy. */
  public int[] rows() {
    return rows.clone();
  }

  /** (Q, k) distances, a copy. */
  public float[] distances() {
    return distances.clone();
  }

  private int offset(int q, int r) {
    if (q < 0 || q >= queries || r < 0 || r >= k) {
      throw new IndexOutOfBoundsException("neighbour (" + q + ", " + r + ") outside (" + queries
          + ", " + k + ")");
    }
    return q * k + r;
  }
}
