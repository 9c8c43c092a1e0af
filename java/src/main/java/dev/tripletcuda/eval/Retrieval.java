package dev.tripletcuda.eval;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.knn.KnnIndex;
import dev.tripletcuda.knn.Neighbors;

/**
 * Retrieval metrics of labelled queries against a labelled index (test embeddings against
 * training embeddings), with the index's distance, neighbours sorted by distance and ties by
 * index row. For a query of class c, the relevant rows are the index rows of class c and R is
 * their number.
 *
 * <ul>
 *   <li>precision@1: the fraction of queries whose nearest row is relevant.
 *   <li>recall@k: the fraction of queries with at least one relevant row among their k nearest.
 *   <li>MAP@R: the mean over queries with R &gt;= 1 of AP@R = (1 / R) sum_{i=1..R} rel(i) P(i),
 *       where rel(i) says whether the i-th nearest row is relevant and P(i) is the fraction of
 *       relevant rows among the i nearest. It rewards putting all R relevant rows first, not
 *       only the first one.
 * </ul>
 * Queries of a class absent from the index count as misses in precision@1 and recall@k and are
 * left out of MAP@R.
 */
public final class Retrieval {

  /** Neighbour entries (queries x neighbours) held at once while evaluating. */
  static final int BLOCK_ENTRIES = 1 << 22;

  private Retrieval() {}

  /**
   * The three figures of one evaluation.
   *
   * @param precisionAt1 see the class comment
   * @param recallAtK recall@k for the k given
   * @param k the k of recallAtK
   * @param mapAtR MAP@R; NaN when no query has a relevant row
   * @param queries the number of queries
   * @param queriesWithRelevant queries whose class occurs in the index (the MAP@R queries)
   */
  public record Scores(double precisionAt1, double recallAtK, int k, double mapAtR,
      int queries, int queriesWithRelevant) {}

  /**
   * Evaluates queries against a labelled index.
   *
   * @param queries (Q, D), Q &gt;= 1
   * @param queryLabels (Q) class ids in the index's class ids
   * @param k for recall@k, 1..N
   */
  public static Scores evaluate(KnnIndex index, float[] queries, int[] queryLabels, int k) {
    requireNonNull("index", index);
    requireNonNull("queries", queries);
    requireNonNull("queryLabels", queryLabels);
    if (!index.labelled()) {
      throw new IllegalArgumentException("retrieval metrics need an index with labels");
    }
    int d = index.dim();
    int q = queryLabels.length;
    if (queries.length != (long) q * d) {
      throw new IllegalArgumentException("queries has " + queries.length + " values, expected "
          + q + " labels x index dim " + d);
    }
    if (q == 0) {
      throw new IllegalArgumentException("no queries to evaluate");
    }
    int n = index.size();
    if (k < 1 || k > n) {
      throw new IllegalArgumentException("k=" + k + ", expected 1.." + n
          + " (the number of index rows)");
    }
    int[] perClass = new int[index.classNames().size()];
    int[] rowLabels = new int[n];
    for (int i = 0; i < n; i++) {
      rowLabels[i] = index.label(i);
      perClass[rowLabels[i]]++;
    }
    int maxR = 0;
    for (int label : queryLabels) {
      if (label >= 0 && label < perClass.length) {
        maxR = Math.max(maxR, perClass[label]);
      }
    }
    int depth = Math.max(k, maxR);
    int block = Math.max(1, Math.min(q, BLOCK_ENTRIES / depth));

    long hits1 = 0;
    long hitsK = 0;
    double apSum = 0;
    int withRelevant = 0;
    for (int start = 0; start < q; start += block) {
      int count = Math.min(block, q - start);
      float[] part = java.util.Arrays.copyOfRange(queries, start * d, (start + count) * d);
      Neighbors nn = index.search(part, depth);
      for (int i = 0; i < count; i++) {
        int label = queryLabels[start + i];
        int r = label >= 0 && label < perClass.length ? perClass[label] : 0;
        if (r == 0) {
          continue;
        }
        withRelevant++;
        int found = 0;
        double ap = 0;
        boolean inK = false;
        for (int rank = 0; rank < depth; rank++) {
          if (rowLabels[nn.row(i, rank)] != label) {
            continue;
          }
          if (rank == 0) {
            hits1++;
          }
          if (rank < k) {
            inK = true;
          }
          if (rank < r) {
            found++;
            ap += (double) found / (rank + 1);
          }
        }
        if (inK) {
          hitsK++;
        }
        apSum += ap / r;
      }
    }
    return new Scores((double) hits1 / q, (double) hitsK / q, k,
        withRelevant == 0 ? Double.NaN : apSum / withRelevant, q, withRelevant);
  }

  /**
   * The fraction of test rows whose nearest training row (squared L2) has the same label.
   *
   * @param train (N, D) training embeddings
   * @param trainLabels (N)
   * @param test (Q, D) test embeddings
   * @param testLabels (Q)
   * @param dim D
   */
  public static double precisionAtOne(Backend backend, float[] train, int[] trainLabels,
      float[] test, int[] testLabels, int dim) {
    requireNonNull("backend", backend);
    requireNonNull("train", train);
    requireNonNull("trainLabels", trainLabels);
    requireNonNull("test", test);
    requireNonNull("testLabels", testLabels);
    if (dim < 1) {
      throw new IllegalArgumentException("dim=" + dim + ", expected >= 1");
    }
    int n = trainLabels.length;
    int q = testLabels.length;
    if (train.length != (long) n * dim || test.length != (long) q * dim) {
      throw new IllegalArgumentException("embeddings (" + train.length + " and " + test.length
          + " values) do not match " + n + " and " + q + " labels of dim " + dim);
    }
    if (n == 0) {
      throw new IllegalArgumentException("no training embeddings to search");
    }
    if (q == 0) {
      return 0;
    }
    Neighbors nn;
    try (KnnIndex index = KnnIndex.builder(train, dim).build(backend)) {
      nn = index.search(test, 1);
    }
    int hits = 0;
    for (int i = 0; i < q; i++) {
      if (trainLabels[nn.row(i, 0)] == testLabels[i]) {
        hits++;
      }
    }
    return (double) hits / q;
  }
}
