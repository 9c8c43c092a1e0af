package dev.tripletcuda.verify;

import java.util.SplittableRandom;

/** Test data: labelled points scattered around one centre per class. */
public final class ClusteredEmbeddings {

  /** (rows, dim) points. */
  public final float[] points;
  /** (rows) class ids. */
  public final int[] labels;
  public final int dim;

  private ClusteredEmbeddings(float[] points, int[] labels, int dim) {
    this.points = points;
    this.labels = labels;
    this.dim = dim;
  }

  /**
   * rows points, class i % classes, centres on the axes at distance 1 from the origin (so
   * centres are sqrt(2) apart), Gaussian noise of the given spread per coordinate.
   */
  public static ClusteredEmbeddings make(int rows, int classes, int dim, double spread,
      long seed) {
    if (classes > dim) {
      throw new IllegalArgumentException("classes > dim");
    }
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[rows * dim];
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      labels[i] = i % classes;
      for (int j = 0; j < dim; j++) {
        x[i * dim + j] = (float) ((j == labels[i] ? 1 : 0) + spread * rng.nextGaussian());
      }
    }
    return new ClusteredEmbeddings(x, labels, dim);
  }

  /** Uniform random values in [-1, 1). */
  public static float[] random(int count, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[count];
    for (int i = 0; i < count; i++) {
      x[i] = (float) (2 * rng.nextDouble() - 1);
    }
    return x;
  }
}
