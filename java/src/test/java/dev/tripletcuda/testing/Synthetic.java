package dev.tripletcuda.testing;

import dev.tripletcuda.io.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Gaussian clusters: one random centre per class, samples scattered around it. */
public final class Synthetic {

  private Synthetic() {}

  /**
   * @param classes number of classes
   * @param perClass rows per class
   * @param dim features
   * @param spread standard deviation of the noise around each centre (centres are N(0, 1))
   */
  public static Dataset clusters(long seed, int classes, int perClass, int dim, double spread) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] centres = new float[classes][dim];
    for (float[] c : centres) {
      for (int j = 0; j < dim; j++) {
        c[j] = (float) gaussian(r);
      }
    }
    int rows = classes * perClass;
    float[] x = new float[rows * dim];
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      int c = i % classes;
      labels[i] = c;
      for (int j = 0; j < dim; j++) {
        x[i * dim + j] = centres[c][j] + (float) (spread * gaussian(r));
      }
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      names.add("c" + c);
    }
    return new Dataset("synthetic", Dataset.Kind.NUMBERS, x, rows, dim, labels, names, null);
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }
}
