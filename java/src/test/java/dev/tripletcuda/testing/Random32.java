package dev.tripletcuda.testing;

import java.util.SplittableRandom;

/** Seeded random test data. */
public final class Random32 {

  private Random32() {}

  /** n standard-normal floats. */
  public static float[] gaussian(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) nextGaussian(r);
    }
    return v;
  }

  /** n uniform floats in [lo, hi). */
  public static float[] uniform(long seed, int n, float lo, float hi) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * (float) r.nextDouble();
    }
    return v;
  }

  /** n labels in [0, classes). */
  public static int[] labels(long seed, int n, int classes) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(classes);
    }
    return v;
  }

  private static double nextGaussian(SplittableRandom r) {
    double u = r.nextDouble();
    double w = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
  }
}
