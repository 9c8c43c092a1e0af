package dev.tripletcuda.loss;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the per-triplet hinge losses of a batch are combined into one number. */
public enum Reduction {

  /** The plain sum over triplets: the loss as written. */
  SUM("sum"),

  /** The sum divided by the number of triplets considered. */
  MEAN("mean"),

  /**
   * The sum divided by the number of active triplets (loss &gt; 0): the gradient keeps its size
   * as training makes most triplets easy.
   */
  MEAN_ACTIVE("mean-active");

  private final String id;

  Reduction(String id) {
    this.id = id;
  }

  /** The name used on the command line and in model files, e.g. {@code mean-active}. */
  public String id() {
    return id;
  }

  /** Parses a command-line name; throws IllegalArgumentException naming the choices. */
  public static Reduction parse(String name) {
    if (name == null) {
      throw new IllegalArgumentException("reduction is null, expected sum, mean or mean-active");
    }
    String key = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (Reduction r : values()) {
      if (r.id.equals(key)) {
        return r;
      }
    }
    throw new IllegalArgumentException("reduction='" + name + "', expected one of "
        + Arrays.stream(values()).map(Reduction::id).collect(Collectors.joining(", ")));
  }

  /**
   * The factor that turns a sum into this reduction: 1, 1/triplets or 1/active, and 0 where
   * the divisor is 0 so that an empty batch gives loss 0 and a zero gradient, never NaN.
   */
  public double weight(long triplets, long active) {
    switch (this) {
      case SUM:
        return 1.0;
      case MEAN:
        return triplets == 0 ? 0.0 : 1.0 / triplets;
      case MEAN_ACTIVE:
        return active == 0 ? 0.0 : 1.0 / active;
      default:
        throw new AssertionError(this);
    }
  }

  @Override
  public String toString() {
    return id;
  }
}
