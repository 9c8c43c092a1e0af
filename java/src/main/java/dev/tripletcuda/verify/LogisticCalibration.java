package dev.tripletcuda.verify;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Logistic (Platt) calibration: p(d) = 1 / (1 + exp(-(a + b d))), b &lt;= 0 for a useful
 * distance.
 *
 * <p>Fitted by Newton's method (IRLS) on the cross-entropy, with Platt's smoothed targets
 * (P + 1) / (P + 2) for the P positives and 1 / (N + 2) for the N negatives: they keep the
 * parameters finite when the classes separate completely, and change nothing measurable
 * otherwise.
 */
public record LogisticCalibration(double a, double b) implements Calibration {

  /** Newton iterations at most; a fit takes about ten. */
  static final int MAX_ITERATIONS = 100;

  /** Distance bins the pairs are grouped in before fitting. */
  static final int BINS = 1 << 14;

  public LogisticCalibration {
    if (!Double.isFinite(a) || !Double.isFinite(b)) {
      throw new IllegalArgumentException("logistic calibration a=" + a + ", b=" + b
          + ", expected finite numbers");
    }
  }

  @Override
  public double probability(double distance) {
    return sigmoid(a + b * distance);
  }

  @Override
  public Method method() {
    return Method.LOGISTIC;
  }

  @Override
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("method", method().id());
    o.put("a", a);
    o.put("b", b);
    return o;
  }

  static LogisticCalibration fromJson(JsonNode node) {
    return new LogisticCalibration(number(node, "a"), number(node, "b"));
  }

  private static double number(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException("logistic calibration has no number '" + key + "'");
    }
    return v.asDouble();
  }

  /**
   * Fits a and b on labelled distances.
   *
   * <p>The pairs are first grouped: {@value #BINS} equal-width bins over the distance range,
   * same-class and other pairs apart, each group standing at its mean distance with its count
   * as weight. The loss is linear in the pairs but not in the distance, so this changes the fit
   * only by the spread of distances inside a bin (1 / {@value #BINS} of the range), and makes
   * each Newton step cost a few thousand evaluations instead of millions.
   *
   * @throws IllegalArgumentException when there are no pairs
   */
  public static LogisticCalibration fit(LabelledDistances pairs) {
    requireNonNull("pairs", pairs);
    int n = pairs.size();
    if (n == 0) {
      throw new IllegalArgumentException("no labelled distances to fit a calibration on");
    }
    double tPos = (pairs.positives() + 1.0) / (pairs.positives() + 2.0);
    double tNeg = 1.0 / (pairs.negatives() + 2.0);

    // Group into bins: [2 b] other pairs, [2 b + 1] same-class pairs.
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      min = Math.min(min, pairs.distance(i));
      max = Math.max(max, pairs.distance(i));
    }
    double width = max > min ? (max - min) / BINS : 1;
    double[] count = new double[2 * BINS];
    double[] sum = new double[2 * BINS];
    for (int i = 0; i < n; i++) {
      double d = pairs.distance(i);
      int g = 2 * Math.min((int) ((d - min) / width), BINS - 1) + (pairs.same(i) ? 1 : 0);
      count[g]++;
      sum[g] += d;
    }
    int m = 0;
    double[] x = new double[2 * BINS];
    double[] w = new double[2 * BINS];
    double[] t = new double[2 * BINS];
    for (int g = 0; g < 2 * BINS; g++) {
      if (count[g] > 0) {
        x[m] = sum[g] / count[g];
        w[m] = count[g];
        t[m] = (g & 1) == 1 ? tPos : tNeg;
        m++;
      }
    }

    // Standardise: x = (d - mean) / sd, for a well-conditioned 2 x 2 system.
    double mean = 0;
    for (int i = 0; i < m; i++) {
      mean += w[i] * x[i];
    }
    mean /= n;
    double var = 0;
    for (int i = 0; i < m; i++) {
      var += w[i] * (x[i] - mean) * (x[i] - mean);
    }
    double sd = Math.sqrt(var / n);
    if (!(sd > 0)) {
      sd = 1;
    }
    for (int i = 0; i < m; i++) {
      x[i] = (x[i] - mean) / sd;
    }

    // Newton on (alpha, beta) for z = alpha + beta x. Each pass gives the loss, gradient and
    // Hessian at one point; a step that raised the loss is halved from where it started.
    double targetSum = tPos * pairs.positives() + tNeg * pairs.negatives();
    double alpha = Math.log(targetSum) - Math.log(n - targetSum);
    double beta = 0;
    double fromAlpha = alpha;
    double fromBeta = beta;
    double fromLoss = Double.POSITIVE_INFINITY;
    double s0 = 0;
    double s1 = 0;
    double step = 1;
    for (int it = 0; it < MAX_ITERATIONS; it++) {
      double loss = 0;
      double g0 = 0;
      double g1 = 0;
      double h00 = 0;
      double h01 = 0;
      double h11 = 0;
      for (int i = 0; i < m; i++) {
        double z = alpha + beta * x[i];
        double e = Math.exp(-Math.abs(z));
        // log(1 + e^z) - t z without overflow, and the sigmoid from the same exponential.
        loss += w[i] * ((z > 0 ? z : 0) + Math.log1p(e) - t[i] * z);
        double p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
        double r = w[i] * (p - t[i]);
        double h = w[i] * Math.max(p * (1 - p), 1e-12);
        g0 += r;
        g1 += r * x[i];
        h00 += h;
        h01 += h * x[i];
        h11 += h * x[i] * x[i];
      }
      if (loss > fromLoss && step > 1e-6) {
        step *= 0.5;
        alpha = fromAlpha - step * s0;
        beta = fromBeta - step * s1;
        continue;
      }
      double det = h00 * h11 - h01 * h01;
      if (!(det > 0)) {
        break;
      }
      s0 = (h11 * g0 - h01 * g1) / det;
      s1 = (h00 * g1 - h01 * g0) / det;
      if (Math.abs(s0) + Math.abs(s1) < 1e-10) {
        break;
      }
      fromAlpha = alpha;
      fromBeta = beta;
      fromLoss = loss;
      step = 1;
      alpha -= s0;
      beta -= s1;
    }
    // Back to the raw distance: alpha + beta (d - mean) / sd.
    return new LogisticCalibration(alpha - beta * mean / sd, beta / sd);
  }

  private static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
}
