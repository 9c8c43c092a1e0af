package dev.tripletcuda.verify;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/**
 * Isotonic calibration: the non-increasing function of the distance closest, in squared error,
 * to the same-class indicators of the fitting pairs, found by pool-adjacent-violators (PAV).
 * PAV gives blocks of consecutive distances with one probability each (the block's fraction of
 * same-class pairs); the map runs linearly between the blocks' mean distances and is constant
 * beyond the first and last.
 *
 * <p>More flexible than {@link LogisticCalibration}, with no assumption on the shape, but it
 * follows the fitting pairs closely: with few pairs it overfits, and it can give exactly 0 or 1.
 */
public final class IsotonicCalibration implements Calibration {

  /** (K) block mean distances, ascending. */
  private final double[] x;
  /** (K) block probabilities, non-increasing. */
  private final double[] y;

  /**
   * @param x knot distances, strictly ascending
   * @param y probabilities at the knots, in [0, 1], non-increasing
   */
  public IsotonicCalibration(double[] x, double[] y) {
    requireNonNull("x", x);
    requireNonNull("y", y);
    if (x.length == 0 || x.length != y.length) {
      throw new IllegalArgumentException("isotonic calibration has " + x.length + " knots and "
          + y.length + " values, expected the same positive number");
    }
    for (int i = 0; i < x.length; i++) {
      if (!Double.isFinite(x[i]) || !(y[i] >= 0 && y[i] <= 1)) {
        throw new IllegalArgumentException("isotonic knot " + i + " (" + x[i] + ", " + y[i]
            + "), expected a finite distance and a probability");
      }
      if (i > 0 && (!(x[i] > x[i - 1]) || y[i] > y[i - 1])) {
        throw new IllegalArgumentException("isotonic knot " + i + " (" + x[i] + ", " + y[i]
            + ") after (" + x[i - 1] + ", " + y[i - 1] + "), expected ascending distances and "
            + "non-increasing probabilities");
      }
    }
    this.x = x.clone();
    this.y = y.clone();
  }

  /** Fits the blocks on labelled distances; at least one pair. */
  public static IsotonicCalibration fit(LabelledDistances pairs) {
    requireNonNull("pairs", pairs);
    if (pairs.size() == 0) {
      throw new IllegalArgumentException("no labelled distances to fit a calibration on");
    }
    long[] keys = pairs.sortedKeys();
    int n = keys.length;
    // Blocks on a stack: weight, sum of outcomes, sum of distances.
    double[] w = new double[n];
    double[] sy = new double[n];
    double[] sx = new double[n];
    int top = 0;
    for (int i = 0; i < n; ) {
      // Equal distances form one block from the start: a map cannot tell them apart.
      int j = i;
      double gy = 0;
      double d = LabelledDistances.keyDistance(keys[i]);
      for (; j < n && LabelledDistances.sameDistance(keys[i], keys[j]); j++) {
        gy += LabelledDistances.keySame(keys[j]) ? 1 : 0;
      }
      w[top] = j - i;
      sy[top] = gy;
      sx[top] = d * (j - i);
      top++;
      // Pool while the new block's rate is not below the one before: it must not increase,
      // and equal neighbours make one knot.
      while (top > 1 && sy[top - 1] * w[top - 2] >= sy[top - 2] * w[top - 1]) {
        w[top - 2] += w[top - 1];
        sy[top - 2] += sy[top - 1];
        sx[top - 2] += sx[top - 1];
        top--;
      }
      i = j;
    }
    double[] kx = new double[top];
    double[] ky = new double[top];
    for (int b = 0; b < top; b++) {
      kx[b] = sx[b] / w[b];
      ky[b] = sy[b] / w[b];
    }
    // Mean distances of pooled blocks ascend strictly except for rounding; merge any that tie.
    int k = 0;
    for (int b = 0; b < top; b++) {
      if (k > 0 && !(kx[b] > kx[k - 1])) {
        ky[k - 1] = Math.min(ky[k - 1], ky[b]);
        continue;
      }
      kx[k] = kx[b];
      ky[k] = ky[b];
      k++;
    }
    return new IsotonicCalibration(Arrays.copyOf(kx, k), Arrays.copyOf(ky, k));
  }

  @Override
  public double probability(double distance) {
    if (distance <= x[0]) {
      return y[0];
    }
    int last = x.length - 1;
    if (distance >= x[last]) {
      return y[last];
    }
    int i = Arrays.binarySearch(x, distance);
    if (i >= 0) {
      return y[i];
    }
    int hi = -i - 1;
    int lo = hi - 1;
    double f = (distance - x[lo]) / (x[hi] - x[lo]);
    return y[lo] + f * (y[hi] - y[lo]);
  }

  @Override
  public Method method() {
    return Method.ISOTONIC;
  }

  /** Number of knots. */
  public int knots() {
    return x.length;
  }

  @Override
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("method", method().id());
    ArrayNode ax = o.putArray("x");
    ArrayNode ay = o.putArray("y");
    for (int i = 0; i < x.length; i++) {
      ax.add(x[i]);
      ay.add(y[i]);
    }
    return o;
  }

  static IsotonicCalibration fromJson(JsonNode node) {
    return new IsotonicCalibration(numbers(node, "x"), numbers(node, "y"));
  }

  private static double[] numbers(JsonNode node, String key) {
    JsonNode a = node.get(key);
    if (a == null || !a.isArray()) {
      throw new IllegalArgumentException("isotonic calibration has no array '" + key + "'");
    }
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      if (!a.get(i).isNumber()) {
        throw new IllegalArgumentException("isotonic calibration '" + key + "'[" + i
            + "] is not a number");
      }
      out[i] = a.get(i).asDouble();
    }
    return out;
  }
}
