package dev.tripletcuda.loss;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How triplets are drawn from a labelled batch. For an anchor a, a positive is another sample
 * with a's label and a negative any sample with another label; d is the squared L2 distance.
 */
public enum Mining {

  /** Every valid (a, p, n) triplet of the batch. */
  BATCH_ALL("batch-all"),

  /** Per anchor one triplet: the farthest positive and the nearest negative. */
  BATCH_HARD("batch-hard"),

  /**
   * Per anchor-positive pair one triplet: the nearest negative with d(a, n) > d(a, p); where there
   * is none, the farthest negative.
   */
  SEMI_HARD("semi-hard");

  private final String id;

  Mining(String id) {
    this.id = id;
  }

  /** The name used on the command line and in model files, e.g. {@code batch-all}. */
  public String id() {
    return id;
  }

  /** Parses a command-line name; throws IllegalArgumentException naming the choices. */
  public static Mining parse(String name) {
    if (name == null) {
      throw new IllegalArgumentException("mining is null, expected batch-all, batch-hard or "
          + "semi-hard");
    }
    String key = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (Mining m : values()) {
      if (m.id.equals(key)) {
        return m;
      }
    }
    throw new IllegalArgumentException("mining='" + name + "', expected one of "
        + Arrays.stream(values()).map(Mining::id).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return id;
  }
}
