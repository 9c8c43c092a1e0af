package dev.tripletcuda.knn;

import java.util.Locale;

/**
 * How a {@link KnnIndex} measures distance; smaller is always nearer.
 *
 * <ul>
 *   <li>{@link #SQUARED_L2}: ||q - x||^2, the distance the triplet loss trains.
 *   <li>{@link #COSINE}: 1 - cos(q, x), in [0, 2]. Computed as half the squared L2 distance
 *       of the unit-length vectors, which keeps the order and the ties of that distance
 *       exactly. Zero vectors have no direction and are refused.
 *   <li>{@link #INNER_PRODUCT}: -(q . x), the negated dot product, so that the largest product
 *       comes first.
 * </ul>
 */
public enum Metric {

  SQUARED_L2("squared-l2"),
  COSINE("cosine"),
  INNER_PRODUCT("inner-product");

  private final String id;

  Metric(String id) {
    this.id = id;
  }

  /** The name used on the command line and in index files. */
  public String id() {
    return id;
  }

  /** Parses squared-l2 (or l2), cosine, inner-product (or ip). */
  public static Metric parse(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case "squared-l2":
      case "l2":
        return SQUARED_L2;
      case "cosine":
        return COSINE;
      case "inner-product":
      case "ip":
        return INNER_PRODUCT;
      default:
        throw new IllegalArgumentException("metric='" + name
            + "', expected squared-l2, cosine or inner-product");
    }
  }

  @Override
  public String toString() {
    return id;
  }
}
