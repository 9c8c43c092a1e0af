package dev.tripletcuda.backend.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.DeviceUnavailableException;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared by the CUDA tests: opening a device or skipping, random inputs, transfers, and
 * comparisons with tolerance abs + rel * |expected| whose failure names the case and the first
 * mismatching indices.
 */
final class CudaTestSupport {

  /** Why CUDA is unusable here, or null when a device opened; probed once per JVM. */
  private static String unavailable;
  private static boolean probed;

  private CudaTestSupport() {}

  /** Whether a CUDA device opens in this JVM. */
  static synchronized boolean available() {
    if (!probed) {
      probed = true;
      try {
        CudaBackend.open(CudaOptions.fromEnvironment()).close();
        unavailable = null;
      } catch (DeviceUnavailableException e) {
        unavailable = e.getMessage();
      }
    }
    return unavailable == null;
  }

  /** Skips the calling test unless a CUDA device opens. */
  static void assumeDevice() {
    Assumptions.assumeTrue(available(), () -> "no usable CUDA device: " + unavailable);
  }

  /** A CUDA backend with the given options; skips the test when no device opens. */
  static CudaBackend open(CudaOptions options) {
    assumeDevice();
    return CudaBackend.open(options);
  }

  static float[] gaussian(SplittableRandom rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    return v;
  }

  /** Small integers in [lo, hi]: every distance and dot product of them is exact in float. */
  static float[] smallInts(SplittableRandom rng, int n, int lo, int hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = rng.nextInt(lo, hi + 1);
    }
    return v;
  }

  static Tensor tensor(Backend backend, int rows, int cols, float[] values) {
    Tensor t = backend.allocate(rows, cols);
    backend.upload(values, 0, t);
    return t;
  }

  static IntTensor ints(Backend backend, int[] values) {
    IntTensor t = backend.allocateInts(values.length);
    backend.upload(values, 0, t);
    return t;
  }

  static float[] values(Tensor t) {
    float[] v = new float[(int) t.size()];
    t.backend().download(t, v, 0);
    return v;
  }

  static int[] values(IntTensor t) {
    int[] v = new int[t.length()];
    t.backend().download(t, v, 0);
    return v;
  }

  /**
   * Fails unless every |actual - expected| &lt;= abs + rel * |expected| (NaN matches NaN); the
   * message names the case and the first five mismatches.
   */
  static void assertClose(String what, float[] expected, float[] actual, double abs,
      double rel) {
    if (expected.length != actual.length) {
      fail(what + ": " + actual.length + " values, expected " + expected.length);
    }
    List<String> bad = new ArrayList<>();
    int count = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      boolean ok = (Double.isNaN(e) && Double.isNaN(a)) || Math.abs(a - e) <= abs + rel
          * Math.abs(e);
      if (!ok) {
        count++;
        if (bad.size() < 5) {
          bad.add(String.format(Locale.ROOT, "[%d] expected %.8g, got %.8g", i, e, a));
        }
      }
    }
    if (count > 0) {
      fail(String.format(Locale.ROOT, "%s: %d of %d values differ beyond %.1e + %.1e |x|: %s",
          what, count, expected.length, abs, rel, String.join("; ", bad)));
    }
  }

  /** Fails unless the arrays are equal; the message names the case and the first mismatches. */
  static void assertSame(String what, int[] expected, int[] actual) {
    List<String> bad = new ArrayList<>();
    int count = 0;
    for (int i = 0; i < Math.min(expected.length, actual.length); i++) {
      if (expected[i] != actual[i]) {
        count++;
        if (bad.size() < 5) {
          bad.add("[" + i + "] expected " + expected[i] + ", got " + actual[i]);
        }
      }
    }
    if (count > 0 || expected.length != actual.length) {
      fail(what + ": " + count + " of " + expected.length + " values differ (lengths "
          + expected.length + ", " + actual.length + "): " + String.join("; ", bad));
    }
  }

  /** Fails unless |actual - expected| &lt;= abs + rel |expected|. */
  static void assertClose(String what, double expected, double actual, double abs,
      double rel) {
    if (!(Math.abs(actual - expected) <= abs + rel * Math.abs(expected))) {
      fail(String.format(Locale.ROOT, "%s: expected %.10g, got %.10g", what, expected,
          actual));
    }
  }
}
