package dev.tripletcuda.io;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import java.util.Arrays;

/**
 * The per-feature affine map from file values to network inputs, x' = (x - offset) / scale. It
 * belongs to the model: fitted once on the training split and stored with the weights, so that
 * evaluation, embedding and search see inputs exactly as training did.
 *
 * <p>Bytes (IDX) map to [0, 1] (offset 0, scale 255). Numbers (CSV) are standardised with the
 * training split's column mean and standard deviation; a constant column gets scale 1.
 */
public record InputTransform(float[] offset, float[] scale) {

  public InputTransform {
    if (offset == null || scale == null || offset.length != scale.length) {
      throw new IllegalArgumentException("offset has " + (offset == null ? "null" : offset.length)
          + " and scale " + (scale == null ? "null" : scale.length) + " values, expected the "
          + "same number");
    }
    for (int i = 0; i < scale.length; i++) {
      if (!(scale[i] > 0) || Float.isInfinite(scale[i]) || !Float.isFinite(offset[i])) {
        throw new IllegalArgumentException("feature " + i + ": offset " + offset[i]
            + ", scale " + scale[i] + ", expected finite values and scale > 0");
      }
    }
    offset = offset.clone();
    scale = scale.clone();
  }

  @Override
  public float[] offset() {
    return offset.clone();
  }

  @Override
  public float[] scale() {
    return scale.clone();
  }

  /** Number of features. */
  public int dim() {
    return offset.length;
  }

  /** The identity on dim features. */
  public static InputTransform identity(int dim) {
    if (dim < 1) {
      throw new IllegalArgumentException("dim=" + dim + ", expected >= 1");
    }
    float[] ones = new float[dim];
    Arrays.fill(ones, 1f);
    return new InputTransform(new float[dim], ones);
  }

  /** The default transform for a training split, by its kind. */
  public static InputTransform fit(Dataset train) {
    requireNonNull("train", train);
    int dim = train.dim();
    if (train.kind() == Dataset.Kind.BYTES) {
      float[] scale = new float[dim];
      Arrays.fill(scale, 255f);
      return new InputTransform(new float[dim], scale);
    }
    int n = train.rows();
    double[] mean = new double[dim];
    double[] m2 = new double[dim];
    float[] x = train.features();
    // Welford's update per column: stable for large offsets.
    for (int i = 0; i < n; i++) {
      int row = i * dim;
      for (int j = 0; j < dim; j++) {
        double v = x[row + j];
        double delta = v - mean[j];
        mean[j] += delta / (i + 1);
        m2[j] += delta * (v - mean[j]);
      }
    }
    float[] offset = new float[dim];
    float[] scale = new float[dim];
    for (int j = 0; j < dim; j++) {
      double sd = n > 1 ? Math.sqrt(m2[j] / n) : 0;
      offset[j] = (float) mean[j];
      scale[j] = sd > 1e-12 && Double.isFinite(sd) ? (float) sd : 1f;
    }
    return new InputTransform(offset, scale);
  }

  /** (rows, dim) transformed copy of the dataset's features. */
  public float[] apply(Dataset data) {
    requireNonNull("data", data);
    if (data.dim() != dim()) {
      throw new IllegalArgumentException(data.source() + " has " + data.dim()
          + " features per row, the model expects " + dim());
    }
    return apply(data.features(), data.rows());
  }

  /** (rows, dim) transformed copy of raw rows. */
  public float[] apply(float[] raw, int rows) {
    requireNonNull("raw", raw);
    int dim = dim();
    if (raw.length != (long) rows * dim) {
      throw new IllegalArgumentException("raw has " + raw.length + " values, expected "
          + rows + " x " + dim);
    }
    float[] out = new float[raw.length];
    for (int i = 0; i < rows; i++) {
      int row = i * dim;
      for (int j = 0; j < dim; j++) {
        out[row + j] = (raw[row + j] - offset[j]) / scale[j];
      }
    }
    return out;
  }
}
