package dev.tripletcuda.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * A map from a distance to the probability that its two sides match, fitted on labelled
 * distances; non-increasing in the distance. Immutable and safe to share between threads.
 */
public sealed interface Calibration permits LogisticCalibration, IsotonicCalibration {

  /** How a calibration is fitted. */
  enum Method {
    /** p = 1 / (1 + exp(-(a + b d))): two parameters, smooth. The default. */
    LOGISTIC,
    /** A non-increasing step-wise-linear map fitted by pool-adjacent-violators. */
    ISOTONIC;

    /** Parses logistic or isotonic. */
    public static Method parse(String name) {
      String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
      switch (n) {
        case "logistic":
          return LOGISTIC;
        case "isotonic":
          return ISOTONIC;
        default:
          throw new IllegalArgumentException("calibration='" + name
              + "', expected logistic or isotonic");
      }
    }

    /** The name in files and on the command line. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Fits this kind of calibration. */
    public Calibration fit(LabelledDistances pairs) {
      return this == LOGISTIC ? LogisticCalibration.fit(pairs) : IsotonicCalibration.fit(pairs);
    }
  }

  /** The match probability at a distance, in [0, 1]. */
  double probability(double distance);

  /** Which kind this is. */
  Method method();

  /** The parameters as a JSON object with a {@code method} field. */
  ObjectNode toJson();

  /**
   * Reads what {@link #toJson} wrote.
   *
   * @throws IllegalArgumentException naming the missing or bad field
   */
  static Calibration fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("calibration is not a JSON object");
    }
    JsonNode m = node.get("method");
    if (m == null || !m.isTextual()) {
      throw new IllegalArgumentException("calibration has no 'method' field");
    }
    return Method.parse(m.asText()) == Method.LOGISTIC ? LogisticCalibration.fromJson(node)
        : IsotonicCalibration.fromJson(node);
  }
}
