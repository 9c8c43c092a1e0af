package dev.tripletcuda.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AdamUpdate} on the Vector API: whole vectors of elements, then the plain loop for the
 * tail. Each lane runs the plain loop's float operations in its order, with no fused
 * multiply-add (the plain loop has none), so the two agree bit for bit.
 *
 * <p>Loaded only when the {@code jdk.incubator.vector} module is in the boot layer
 * ({@link CpuKernels}).
 */
final class AdamUpdatePanama extends AdamUpdate {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  void update(float[] w, int wo, float[] g, int go, float[] m, int mo, float[] v, int vo,
      int from, int to, float beta1, float beta2, float stepSize, float bc2Sqrt, float eps,
      float weightDecay) {
    float oneMinusBeta1 = 1 - beta1;
    float oneMinusBeta2 = 1 - beta2;
    int i = from;
    for (int end = from + (to - from) / L * L; i < end; i += L) {
      FloatVector wi = FloatVector.fromArray(S, w, wo + i);
      FloatVector gi = FloatVector.fromArray(S, g, go + i).add(wi.mul(weightDecay));
      FloatVector mi = FloatVector.fromArray(S, m, mo + i).mul(beta1)
          .add(gi.mul(oneMinusBeta1));
      FloatVector vi = FloatVector.fromArray(S, v, vo + i).mul(beta2)
          .add(gi.mul(oneMinusBeta2).mul(gi));
      mi.intoArray(m, mo + i);
      vi.intoArray(v, vo + i);
      FloatVector denom = vi.sqrt().div(bc2Sqrt).add(eps);
      wi.sub(mi.mul(stepSize).div(denom)).intoArray(w, wo + i);
    }
    super.update(w, wo, g, go, m, mo, v, vo, i, to, beta1, beta2, stepSize, bc2Sqrt, eps,
        weightDecay);
  }
}
