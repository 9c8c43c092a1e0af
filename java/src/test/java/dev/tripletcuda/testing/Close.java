package dev.tripletcuda.testing;

import static org.junit.jupiter.api.Assertions.fail;

/** Elementwise comparison with tolerance abs + rel * |expected|, reporting the first misses. */
public final class Close {

  private Close() {}

  /** Fails naming the context and up to five mismatching indices with both values. */
  public static void assertClose(float[] expected, float[] actual, double abs, double rel,
      String context) {
    if (expected.length != actual.length) {
      fail(context + ": length " + actual.length + ", expected " + expected.length);
    }
    StringBuilder misses = new StringBuilder();
    int count = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      boolean ok = Double.isNaN(e) ? Double.isNaN(a) : Math.abs(a - e) <= abs + rel * Math.abs(e);
      if (!ok) {
        if (count < 5) {
          misses.append(String.format(" [%d] expected %.7g got %.7g;", i, e, a));
        }
        count++;
      }
    }
    if (count > 0) {
      fail(context + ": " + count + " of " + expected.length + " elements differ (tolerance "
          + abs + " + " + rel + " * |ref|):" + misses);
    }
  }

  /** Scalar version. */
  public static void assertClose(double expected, double actual, double abs, double rel,
      String context) {
    if (!(Math.abs(actual - expected) <= abs + rel * Math.abs(expected))) {
      fail(String.format("%s: expected %.9g got %.9g (tolerance %g + %g * |ref|)", context,
          expected, actual, abs, rel));
    }
  }
}
