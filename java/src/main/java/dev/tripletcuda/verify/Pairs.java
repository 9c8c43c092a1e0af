package dev.tripletcuda.verify;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.train.SplitMix64;

/**
 * Labelled pairs of embeddings: every unordered pair {i, j}, i &lt; j, of a set of rows, with
 * its squared L2 distance (computed on a backend, in row blocks) and whether the two rows share
 * a label. All pairs keep the natural share of same-class pairs, which a calibrated probability
 * must reflect.
 */
public final class Pairs {

  /** Distance-block elements (rows x columns) computed per backend call. */
  static final int BLOCK_ELEMENTS = 1 << 22;

  private Pairs() {}

  /** The number of unordered pairs of n rows. */
  public static long count(int n) {
    return (long) n * (n - 1) / 2;
  }

  /**
   * All pairs of the rows, or of a seeded random subset of {@code maxRows} of them when there
   * are more: maxRows (maxRows - 1) / 2 pairs at most.
   *
   * @param embeddings (N, D) row-major
   * @param labels (N) class ids
   * @param maxRows 2..46341 (so that the pair count fits an array)
   * @param seed chooses the subset; unused when N &lt;= maxRows
   * @throws IllegalArgumentException when there are fewer than two rows, or the sizes disagree
   */
  public static LabelledDistances all(Backend backend, float[] embeddings, int[] labels,
      int dim, int maxRows, long seed) {
    requireNonNull("backend", backend);
    int n = checkRows(embeddings, labels, dim);
    if (maxRows < 2 || count(maxRows) > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxRows=" + maxRows + ", expected 2..46341");
    }
    if (n < 2) {
      throw new IllegalArgumentException("pairs need at least two rows, got " + n);
    }
    int[] rows = subset(n, maxRows, seed);
    int m = rows.length;
    float[] x = new float[m * dim];
    int[] l = new int[m];
    for (int i = 0; i < m; i++) {
      System.arraycopy(embeddings, rows[i] * dim, x, i * dim, dim);
      l[i] = labels[rows[i]];
    }

    float[] distances = new float[(int) count(m)];
    boolean[] same = new boolean[distances.length];
    int block = Math.max(1, Math.min(m, BLOCK_ELEMENTS / m));
    float[] host = new float[block * m];
    int next = 0;
    synchronized (backend) {
      try (Tensor all = backend.allocate(m, dim);
          Tensor out = backend.allocate(block, m)) {
        backend.upload(x, 0, all);
        for (int i0 = 0; i0 < m; i0 += block) {
          int rowsHere = Math.min(block, m - i0);
          Tensor o = out.rows(0, rowsHere);
          backend.pairwiseSquaredL2(all.rows(i0, rowsHere), all, o);
          backend.download(o, host, 0);
          for (int r = 0; r < rowsHere; r++) {
            int i = i0 + r;
            for (int j = i + 1; j < m; j++) {
              distances[next] = host[r * m + j];
              same[next] = l[i] == l[j];
              next++;
            }
          }
        }
      }
    }
    assert next == distances.length;
    return new LabelledDistances(distances, same);
  }

  /** All n rows in order, or a seeded uniform subset of max of them, ascending. */
  static int[] subset(int n, int max, long seed) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    if (n <= max) {
      return all;
    }
    SplitMix64 rng = new SplitMix64(seed);
    for (int i = 0; i < max; i++) {
      int j = i + rng.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    int[] out = java.util.Arrays.copyOf(all, max);
    java.util.Arrays.sort(out);
    return out;
  }

  /** Checks (N, D) embeddings against (N) labels and returns N. */
  static int checkRows(float[] embeddings, int[] labels, int dim) {
    requireNonNull("embeddings", embeddings);
    requireNonNull("labels", labels);
    if (dim < 1) {
      throw new IllegalArgumentException("dim=" + dim + ", expected >= 1");
    }
    if (embeddings.length != (long) labels.length * dim) {
      throw new IllegalArgumentException("embeddings has " + embeddings.length + " values, "
          + "expected labels (" + labels.length + ") x dim (" + dim + ") = "
          + (long) labels.length * dim);
    }
    return labels.length;
  }
}
