package dev.tripletcuda.loss;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;

/**
 * The triplet loss over explicit (anchor, positive, negative) index lists, checked before they
 * reach a backend: every index in range and no anchor equal to its positive.
 */
public final class TripletLoss {

  private TripletLoss() {}

  /**
   * Loss and gradient over explicit triplets.
   *
   * @param embeddings (N, D)
   * @param anchors (T) indices into the rows of embeddings
   * @param positives (T)
   * @param negatives (T)
   * @param grad (N, D) receives dLoss/dEmbeddings; null for the loss alone
   * @throws IllegalArgumentException naming the first bad triplet
   */
  public static LossStats explicit(Backend backend, Tensor embeddings, int[] anchors,
      int[] positives, int[] negatives, float margin, Reduction reduction, Tensor grad) {
    requireNonNull("backend", backend);
    requireNonNull("embeddings", embeddings);
    requireNonNull("anchors", anchors);
    requireNonNull("positives", positives);
    requireNonNull("negatives", negatives);
    requireNonNull("reduction", reduction);
    new TripletLossSpec(Mining.BATCH_ALL, margin, reduction);
    int t = anchors.length;
    if (positives.length != t || negatives.length != t) {
      throw new IllegalArgumentException("anchors, positives and negatives have " + t + ", "
          + positives.length + " and " + negatives.length + " entries, expected equal lengths");
    }
    int n = embeddings.rows();
    for (int i = 0; i < t; i++) {
      check("anchors", i, anchors[i], n);
      check("positives", i, positives[i], n);
      check("negatives", i, negatives[i], n);
      if (anchors[i] == positives[i]) {
        throw new IllegalArgumentException("triplet " + i + ": anchor == positive == "
            + anchors[i] + ", expected two different rows");
      }
    }
    try (IntTensor a = backend.allocateInts(t);
        IntTensor p = backend.allocateInts(t);
        IntTensor ng = backend.allocateInts(t)) {
      backend.upload(anchors, 0, a);
      backend.upload(positives, 0, p);
      backend.upload(negatives, 0, ng);
      return backend.tripletLossExplicit(embeddings, a, p, ng, margin, reduction, grad);
    }
  }

  private static void check(String name, int i, int index, int n) {
    if (index < 0 || index >= n) {
      throw new IllegalArgumentException(name + "[" + i + "]=" + index + ", expected 0.."
          + (n - 1) + " (rows of embeddings)");
    }
  }
}
