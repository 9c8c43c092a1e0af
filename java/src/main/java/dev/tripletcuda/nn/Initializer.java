package dev.tripletcuda.nn;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import java.util.random.RandomGenerator;

/**
 * Initial weights of a dense network, on the host, from a seeded generator.
 *
 * <p>Weights are He-uniform, U(-sqrt(6 / fan_in), +sqrt(6 / fan_in)), which keeps the variance of
 * the activations through ReLU layers; biases start at 0. The same generator state gives the
 * same weights on every backend.
 */
public final class Initializer {

  private Initializer() {}

  /** A flat parameter vector for spec, drawn from rng. */
  public static float[] heUniform(NetworkSpec spec, RandomGenerator rng) {
    requireNonNull("spec", spec);
    requireNonNull("rng", rng);
    long count = spec.parameterCount();
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("network " + spec.describe() + " has " + count
          + " parameters, more than one buffer holds (2^31 - 9)");
    }
    float[] params = new float[(int) count];
    for (int l = 0; l < spec.depth(); l++) {
      int fanIn = spec.in(l);
      float bound = (float) Math.sqrt(6.0 / fanIn);
      int w = (int) spec.weightOffset(l);
      int size = fanIn * spec.out(l);
      for (int i = 0; i < size; i++) {
        params[w + i] = (float) ((2 * rng.nextDouble() - 1) * bound);
      }
    }
    return params;
  }
}
