package dev.tripletcuda.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link KnnScan} on the Vector API: one vector of candidates per step, compared with the bar
 * at once; the tail shorter than a vector runs through the plain scan. Lane for lane the sums
 * and the clamp are the plain scan's operations in its order, so both find the same candidate.
 *
 * <p>Loaded only when the {@code jdk.incubator.vector} module is in the boot layer
 * ({@link CpuKernels}).
 */
final class KnnScanPanama extends KnnScan {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  int firstBelow(float[] dist, int row, int from, int to, float qNorm, float[] bn, int bo,
      float bar) {
    int c = from;
    int end = from + (to - from) / L * L;
    FloatVector q = FloatVector.broadcast(S, qNorm);
    for (; c < end; c += L) {
      FloatVector v = FloatVector.fromArray(S, dist, row + c);
      if (bn != null) {
        v = v.add(q).add(FloatVector.fromArray(S, bn, bo + c)).max(0f);
      }
      VectorMask<Float> below = v.compare(VectorOperators.LT, bar);
      if (below.anyTrue()) {
        return c + below.firstTrue();
      }
    }
    return super.firstBelow(dist, row, c, to, qNorm, bn, bo, bar);
  }
}
