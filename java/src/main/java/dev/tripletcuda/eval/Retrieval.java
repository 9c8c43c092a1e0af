package dev.tripletcuda.eval;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;

/** Retrieval metrics of test embeddings against training embeddings. */
public final class Retrieval {

  private Retrieval() {}

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
    int[] nearest = new int[q];
    try (Tensor base = backend.allocate(n, dim);
        Tensor norms = backend.allocate(n, 1);
        Tensor queries = backend.allocate(q, dim);
        IntTensor idx = backend.allocateInts(q);
        Tensor dist = backend.allocate(q, 1)) {
      backend.upload(train, 0, base);
      backend.upload(test, 0, queries);
      backend.rowSquaredNorms(base, norms);
      backend.knn(queries, base, norms, 1, false, idx, dist);
      backend.download(idx, nearest, 0);
    }
    int hits = 0;
    for (int i = 0; i < q; i++) {
      if (trainLabels[nearest[i]] == testLabels[i]) {
        hits++;
      }
    }
    return (double) hits / q;
  }
}
