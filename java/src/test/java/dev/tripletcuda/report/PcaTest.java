package dev.tripletcuda.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PcaTest {

  /**
   * Rows (n, dim) = 3 g1 u + 2 g2 v + 0.1 noise, u and v orthonormal, g Gaussian: the
   * components are u and v up to sign, with variances near 9 and 4.
   */
  @ParameterizedTest
  @ValueSource(ints = {2, 3, 31, 128})
  void ofFindsThePlantedDirectionsInOrder(int dim) {
    SplittableRandom r = new SplittableRandom(dim);
    double[] u = new double[dim];
    double[] v = new double[dim];
    for (int j = 0; j < dim; j++) {
      u[j] = r.nextDouble() - 0.5;
      v[j] = r.nextDouble() - 0.5;
    }
    normalise(u);
    double p = dot(u, v);
    for (int j = 0; j < dim; j++) {
      v[j] -= p * u[j];
    }
    normalise(v);
    int n = 3000;
    float[] rows = new float[n * dim];
    for (int i = 0; i < n; i++) {
      double a = 3 * gaussian(r);
      double b = 2 * gaussian(r);
      for (int j = 0; j < dim; j++) {
        rows[i * dim + j] = (float) (5 + a * u[j] + b * v[j] + 0.1 * gaussian(r));
      }
    }

    Pca pca = Pca.of(rows, n, dim);
    // Sampling tilts the sample's axes a little away from the planted ones.
    assertTrue(Math.abs(dot(pca.component(0), u)) > 0.99, "dim " + dim);
    assertTrue(Math.abs(dot(pca.component(1), v)) > 0.99, "dim " + dim);
    // Exactly, both are eigenvectors of the sample covariance with their variances.
    double[][] cov = covariance(rows, n, dim);
    for (int k = 0; k < 2; k++) {
      double[] c = pca.component(k);
      for (int a = 0; a < dim; a++) {
        double cc = 0;
        for (int b = 0; b < dim; b++) {
          cc += cov[a][b] * c[b];
        }
        assertEquals(pca.variance(k) * c[a], cc, 1e-6 * pca.variance(0),
            "dim " + dim + " component " + k + " entry " + a);
      }
    }
    assertEquals(1, dot(pca.component(0), pca.component(0)), 1e-9);
    assertEquals(0, dot(pca.component(0), pca.component(1)), 1e-9);
    assertEquals(9, pca.variance(0), 0.9, "dim " + dim);
    assertEquals(4, pca.variance(1), 0.4, "dim " + dim);
    assertTrue(pca.explained(0) > pca.explained(1));
    assertTrue(pca.explained(0) + pca.explained(1) <= 1 + 1e-9);
    // The projection is centred: the mean row maps near the origin.
    double sx = 0;
    for (int i = 0; i < n; i++) {
      sx += pca.project(rows, i)[0];
    }
    assertEquals(0, sx / n, 1e-3);
  }

  @Test
  void ofGivesTheSameComponentsEveryRun() {
    SplittableRandom r = new SplittableRandom(5);
    float[] rows = new float[200 * 9];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (float) gaussian(r);
    }
    Pca a = Pca.of(rows, 200, 9);
    Pca b = Pca.of(rows.clone(), 200, 9);
    assertArrayEquals(a.component(0), b.component(0));
    assertArrayEquals(a.component(1), b.component(1));
  }

  @Test
  void ofConstantRowsGivesZeroVariance() {
    Pca pca = Pca.of(new float[] {1, 2, 3, 1, 2, 3}, 2, 3);
    assertEquals(0, pca.variance(0));
    assertEquals(0, pca.explained(0));
    assertArrayEquals(new double[] {0, 0}, pca.project(new float[] {1, 2, 3}, 0), 1e-12);
  }

  @Test
  void ofRejectsBadShapes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pca.of(new float[5], 2, 3));
    assertTrue(e.getMessage().contains("2 rows of dim 3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Pca.of(new float[3], 3, 1));
    assertThrows(IllegalArgumentException.class, () -> Pca.of(new float[0], 0, 2));
  }

  /** The plain covariance (dim, dim) of rows (n, dim), divided by n. */
  private static double[][] covariance(float[] rows, int n, int dim) {
    double[] mean = new double[dim];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < dim; j++) {
        mean[j] += rows[i * dim + j] / (double) n;
      }
    }
    double[][] cov = new double[dim][dim];
    for (int i = 0; i < n; i++) {
      for (int a = 0; a < dim; a++) {
        for (int b = 0; b < dim; b++) {
          cov[a][b] += (rows[i * dim + a] - mean[a]) * (rows[i * dim + b] - mean[b]) / n;
        }
      }
    }
    return cov;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }

  private static void normalise(double[] a) {
    double n = Math.sqrt(dot(a, a));
    for (int j = 0; j < a.length; j++) {
      a[j] /= n;
    }
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }
}
