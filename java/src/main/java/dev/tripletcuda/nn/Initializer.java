package dev.tripletcuda.nn;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import java.util.random.RandomGenerator;

/**
 * Initial weights of a dense network, on the host, from a seeded generator.
 *
 * <p>Every weight and bias of a layer with fan-in n is drawn from U(-1/sqrt(n), +1/sqrt(n)):
 * the distribution PyTorch's {@code nn.Linear} starts from, so that a run here and one there
 * under the same protocol start alike. He-uniform weights with zero biases were measured
 * against it and were not better (README, "How the defaults were chosen"). The same generator
 * state gives the same weights on every backend.
 */
public final class Initializer {

  private Initializer() {}

  /** A flat parameter vector for spec, drawn from rng. */
  public static float[] fanInUniform(NetworkSpec spec, RandomGenerator rng) {
    requireNonNull("spec", spec);
    requireNonNull("rng", rng);
    long count = spec.parameterCount();
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("network " + spec.describe() + " has " + count
          + " parameters, more than one buffer holds (2^31 - 9)");
    }
    float[] params = new float[(int) count];
    for (int l = 0; l < spec.depth(); l++) {
      double bound = 1 / Math.sqrt(spec.in(l));
      int w = (int) spec.weightOffset(l);
      int size = spec.in(l) * spec.out(l) + spec.out(l);
      // The weight (out, in) and then the bias (out) are contiguous.
      for (int i = 0; i < size; i++) {
        params[w + i] = (float) ((2 * rng.nextDouble() - 1) * bound);
      }
    }
    return params;
  }
}
