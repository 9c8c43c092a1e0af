package dev.tripletcuda.backend.cpu;

/**
 * The sum of squares of a float range, accumulated in double, in plain Java on four running
 * sums (so the additions do not wait on one another); {@link SumOfSquaresPanama} converts whole
 * vectors to double. The two add in different orders and may differ in the last bits; each
 * repeats exactly from run to run. A NaN or an infinity reaches the result.
 */
class SumOfSquares {

  /** sum of x[from + i]^2 for i in [0, count), in double. */
  double of(float[] x, int from, int count) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    int end = from + count;
    for (; i + 4 <= end; i += 4) {
      double v0 = x[i];
      double v1 = x[i + 1];
      double v2 = x[i + 2];
      double v3 = x[i + 3];
      s0 += v0 * v0;
      s1 += v1 * v1;
      s2 += v2 * v2;
      s3 += v3 * v3;
    }
    return tail(x, i, end) + (s0 + s1) + (s2 + s3);
  }

  /** sum of x[i]^2 for i in [from, end), one by one. */
  static double tail(float[] x, int from, int end) {
    double s = 0;
    for (int i = from; i < end; i++) {
      double v = x[i];
      s += v * v;
    }
    return s;
  }
}
