package dev.tripletcuda.bench;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Backends;
import dev.tripletcuda.backend.Device;
import dev.tripletcuda.backend.DeviceUnavailableException;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import java.util.SplittableRandom;

/**
 * What every benchmark sets up the same way: the backend its {@code backend} parameter names,
 * with the suite's thread count, and seeded random inputs on that backend.
 */
final class BenchInputs {

  /** System property with the CPU thread count; every available processor when absent. */
  static final String THREADS_PROPERTY = "bench.threads";

  /** Rows uploaded at a time, so that a large input never needs a second full copy. */
  private static final int UPLOAD_ROWS = 1 << 16;

  private BenchInputs() {}

  /** The thread count from {@value #THREADS_PROPERTY}, or every available processor. */
  static int threads() {
    String text = System.getProperty(THREADS_PROPERTY);
    if (text == null || text.isBlank()) {
      return Runtime.getRuntime().availableProcessors();
    }
    int n;
    try {
      n = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "='" + text
          + "', expected a whole number >= 1");
    }
    if (n < 1) {
      throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + n + ", expected >= 1");
    }
    return n;
  }

  /**
   * Opens the backend named cpu or cuda. A device that cannot be used fails with a message that
   * says so and how to leave it out, which JMH prints as the reason the benchmark did not run.
   */
  static Backend open(String name) {
    Device device = Device.parse(name);
    try {
      return Backends.open(device, threads());
    } catch (DeviceUnavailableException e) {
      throw new IllegalStateException("backend=" + name + " cannot run here: " + e.getMessage()
          + "; run with -p backend=cpu, or start the suite through its jar, which leaves out "
          + "an unusable device by itself", e);
    }
  }

  /** (rows, cols) of independent N(0, 1) values. */
  static Tensor gaussian(Backend backend, int rows, int cols, long seed) {
    return randomRows(backend, rows, cols, seed, false);
  }

  /** (rows, cols) Gaussian rows scaled to unit length, as the network's normalised output. */
  static Tensor unitRows(Backend backend, int rows, int cols, long seed) {
    return randomRows(backend, rows, cols, seed, true);
  }

  /** (P * K) class ids, class-major: K rows of class 0, then K of class 1, and so on. */
  static IntTensor pkLabels(Backend backend, int batch, int perClass) {
    if (perClass < 2 || batch % perClass != 0 || batch / perClass < 2) {
      throw new IllegalArgumentException("batch=" + batch + " with " + perClass
          + " per class, expected a multiple of the per-class count with at least 2 classes");
    }
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = i / perClass;
    }
    IntTensor t = backend.allocateInts(batch);
    backend.upload(labels, 0, t);
    return t;
  }

  private static Tensor randomRows(Backend backend, int rows, int cols, long seed,
      boolean unit) {
    Tensor t = backend.allocate(rows, cols);
    SplittableRandom rng = new SplittableRandom(seed);
    float[] chunk = new float[Math.min(rows, UPLOAD_ROWS) * cols];
    for (int start = 0; start < rows; start += UPLOAD_ROWS) {
      int count = Math.min(UPLOAD_ROWS, rows - start);
      for (int r = 0; r < count; r++) {
        double ss = 0;
        for (int c = 0; c < cols; c++) {
          float v = (float) rng.nextGaussian();
          chunk[r * cols + c] = v;
          ss += (double) v * v;
        }
        if (unit && ss > 0) {
          float inv = (float) (1 / Math.sqrt(ss));
          for (int c = 0; c < cols; c++) {
            chunk[r * cols + c] *= inv;
          }
        }
      }
      float[] src = count * cols == chunk.length ? chunk
          : java.util.Arrays.copyOf(chunk, count * cols);
      backend.upload(src, 0, t.rows(start, count));
    }
    return t;
  }
}
