package dev.tripletcuda.backend.cpu;

/**
 * The Adam update of a range of one flat parameter buffer, in plain Java; {@link
 * AdamUpdatePanama} does the same a vector at a time. Both evaluate, element by element, the same
 * float operations in the same order, so they give bit-identical parameters and moments:
 *
 * <pre>
 *   g' = g + weightDecay * w
 *   m  = beta1 * m + (1 - beta1) * g'
 *   v  = beta2 * v + (1 - beta2) * g' * g'
 *   w  = w - stepSize * m / (sqrt(v) / bc2Sqrt + eps)
 * </pre>
 *
 * with {@code stepSize = lr / (1 - beta1^t)} and {@code bc2Sqrt = sqrt(1 - beta2^t)}.
 */
class AdamUpdate {

  /**
   * Updates elements [from, to) of w, m and v in place from g.
   *
   * @param w parameters, element i at {@code w[wo + i]}; likewise g, m and v
   */
  void update(float[] w, int wo, float[] g, int go, float[] m, int mo, float[] v, int vo,
      int from, int to, float beta1, float beta2, float stepSize, float bc2Sqrt, float eps,
      float weightDecay) {
    for (int i = from; i < to; i++) {
      float wi = w[wo + i];
      float gi = g[go + i] + weightDecay * wi;
      float mi = beta1 * m[mo + i] + (1 - beta1) * gi;
      float vi = beta2 * v[vo + i] + (1 - beta2) * gi * gi;
      m[mo + i] = mi;
      v[vo + i] = vi;
      // sqrt in double then rounded is the correctly rounded float sqrt.
      w[wo + i] = wi - stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }
}
