package dev.tripletcuda.report;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

/**
 * The two leading principal components of a set of rows, for a 2-D map of embeddings.
 *
 * <p>The covariance C (D, D) of the centred rows is formed in double precision; the leading
 * 2-D invariant subspace of C is found by orthogonal iteration (multiply a D x 2 basis by C,
 * re-orthonormalise by Gram-Schmidt) from a fixed start, and the 2 x 2 problem on that
 * subspace (Rayleigh-Ritz) gives the two components in order of variance. The start and the
 * sign convention (the largest-magnitude entry of each component is positive) make the result
 * the same on every run. Convergence goes as (lambda3 / lambda2)^iterations; the iteration
 * stops when the basis moves less than 1e-12 or after {@value #MAX_ITERATIONS} rounds.
 */
final class Pca {

  static final int MAX_ITERATIONS = 1000;

  /** (2, D) row-major: the components, unit length, orthogonal. */
  private final double[] components;
  /** (D) the mean row. */
  private final double[] mean;
  /** Variance along each component, then the total variance. */
  private final double[] variance;
  private final int dim;

  private Pca(double[] components, double[] mean, double[] variance, int dim) {
    this.components = components;
    this.mean = mean;
    this.variance = variance;
    this.dim = dim;
  }

  /**
   * The analysis of rows (n, dim).
   *
   * @throws IllegalArgumentException when rows does not hold n x dim values, n &lt; 1 or
   *     dim &lt; 2
   */
  static Pca of(float[] rows, int n, int dim) {
    requireNonNull("rows", rows);
    if (n < 1 || dim < 2 || rows.length != (long) n * dim) {
      throw new IllegalArgumentException("PCA of " + n + " rows of dim " + dim + " needs n >= 1"
          + ", dim >= 2 and n x dim values, got " + rows.length);
    }
    double[] mean = new double[dim];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < dim; j++) {
        mean[j] += rows[i * dim + j];
      }
    }
    for (int j = 0; j < dim; j++) {
      mean[j] /= n;
    }

    // Covariance (dim, dim); the upper triangle is summed, then mirrored.
    double[] cov = new double[dim * dim];
    double[] c = new double[dim];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < dim; j++) {
        c[j] = rows[i * dim + j] - mean[j];
      }
      for (int a = 0; a < dim; a++) {
        double ca = c[a];
        for (int b = a; b < dim; b++) {
          cov[a * dim + b] += ca * c[b];
        }
      }
    }
    double total = 0;
    for (int a = 0; a < dim; a++) {
      for (int b = a; b < dim; b++) {
        cov[a * dim + b] /= n;
        cov[b * dim + a] = cov[a * dim + b];
      }
      total += cov[a * dim + a];
    }

    // Orthogonal iteration on a (2, dim) basis; the start is fixed and not orthogonal to
    // any axis in general.
    double[] q = new double[2 * dim];
    for (int j = 0; j < dim; j++) {
      q[j] = 1.0;
      q[dim + j] = (j % 2 == 0 ? 1.0 : -1.0) * (1.0 + (double) j / dim);
    }
    orthonormalise(q, dim);
    double[] z = new double[2 * dim];
    for (int it = 0; it < MAX_ITERATIONS; it++) {
      multiply(cov, q, z, dim);
      if (!orthonormalise(z, dim)) {
        // C q vanishes: zero variance along the basis, any basis will do.
        break;
      }
      double moved = 0;
      for (int k = 0; k < 2 * dim; k++) {
        moved = Math.max(moved, Math.abs(Math.abs(z[k]) - Math.abs(q[k])));
      }
      System.arraycopy(z, 0, q, 0, 2 * dim);
      if (moved < 1e-12) {
        break;
      }
    }

    // Rayleigh-Ritz: the eigenvectors of H = Q C Q^T (2 x 2) rotate the basis into the
    // components.
    multiply(cov, q, z, dim);
    double h00 = dot(q, 0, z, 0, dim);
    double h01 = dot(q, 0, z, dim, dim);
    double h11 = dot(q, dim, z, dim, dim);
    double theta = 0.5 * Math.atan2(2 * h01, h00 - h11);
    double cs = Math.cos(theta);
    double sn = Math.sin(theta);
    double[] comp = new double[2 * dim];
    for (int j = 0; j < dim; j++) {
      comp[j] = cs * q[j] + sn * q[dim + j];
      comp[dim + j] = -sn * q[j] + cs * q[dim + j];
    }
    double l0 = cs * cs * h00 + 2 * cs * sn * h01 + sn * sn * h11;
    double l1 = sn * sn * h00 - 2 * cs * sn * h01 + cs * cs * h11;
    if (l1 > l0) {
      for (int j = 0; j < dim; j++) {
        double t = comp[j];
        comp[j] = comp[dim + j];
        comp[dim + j] = t;
      }
      double t = l0;
      l0 = l1;
      l1 = t;
    }
    fixSign(comp, 0, dim);
    fixSign(comp, dim, dim);
    return new Pca(comp, mean, new double[] {Math.max(l0, 0), Math.max(l1, 0), total}, dim);
  }

  /** Component k (0 or 1), unit length; a copy. */
  double[] component(int k) {
    if (k < 0 || k > 1) {
      throw new IllegalArgumentException("component k=" + k + ", expected 0 or 1");
    }
    return java.util.Arrays.copyOfRange(components, k * dim, (k + 1) * dim);
  }

  /** The variance along component k (0 or 1). */
  double variance(int k) {
    if (k < 0 || k > 1) {
      throw new IllegalArgumentException("component k=" + k + ", expected 0 or 1");
    }
    return variance[k];
  }

  /** The fraction of the total variance along component k; 0 when the rows do not vary. */
  double explained(int k) {
    return variance[2] > 0 ? variance(k) / variance[2] : 0;
  }

  /** Row {@code i} of rows (n, dim) projected: {x, y}. */
  double[] project(float[] rows, int i) {
    double x = 0;
    double y = 0;
    for (int j = 0; j < dim; j++) {
      double c = rows[i * dim + j] - mean[j];
      x += c * components[j];
      y += c * components[dim + j];
    }
    return new double[] {x, y};
  }

  /** z (2, dim) = q (2, dim) C, C symmetric (dim, dim). */
  private static void multiply(double[] cov, double[] q, double[] z, int dim) {
    for (int k = 0; k < 2; k++) {
      for (int a = 0; a < dim; a++) {
        double s = 0;
        for (int b = 0; b < dim; b++) {
          s += cov[a * dim + b] * q[k * dim + b];
        }
        z[k * dim + a] = s;
      }
    }
  }

  /** Gram-Schmidt on the two rows of v (2, dim); false when a row vanishes. */
  private static boolean orthonormalise(double[] v, int dim) {
    double n0 = Math.sqrt(dot(v, 0, v, 0, dim));
    if (!(n0 > 1e-300)) {
      return false;
    }
    for (int j = 0; j < dim; j++) {
      v[j] /= n0;
    }
    double p = dot(v, 0, v, dim, dim);
    for (int j = 0; j < dim; j++) {
      v[dim + j] -= p * v[j];
    }
    double n1 = Math.sqrt(dot(v, dim, v, dim, dim));
    if (!(n1 > 1e-300 * Math.max(1, n0))) {
      return false;
    }
    for (int j = 0; j < dim; j++) {
      v[dim + j] /= n1;
    }
    return true;
  }

  private static double dot(double[] a, int ao, double[] b, int bo, int dim) {
    double s = 0;
    for (int j = 0; j < dim; j++) {
      s += a[ao + j] * b[bo + j];
    }
    return s;
  }

  /** Makes the largest-magnitude entry of v[off, off + dim) positive. */
  private static void fixSign(double[] v, int off, int dim) {
    int best = off;
    for (int j = off; j < off + dim; j++) {
      if (Math.abs(v[j]) > Math.abs(v[best])) {
        best = j;
      }
    }
    if (v[best] < 0) {
      for (int j = off; j < off + dim; j++) {
        v[j] = -v[j];
      }
    }
  }
}
