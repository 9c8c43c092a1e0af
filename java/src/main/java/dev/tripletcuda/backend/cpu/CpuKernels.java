package dev.tripletcuda.backend.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the matrix-product micro-kernels, the kNN scan, the Adam update and the sum of squares
 * for this JVM: the Vector API ones when the {@code jdk.incubator.vector} module is in the boot
 * layer (started with {@code --add-modules jdk.incubator.vector}; the command-line tool arranges
 * that itself), the plain Java ones otherwise. The system property
 * {@code tripletcuda.cpu.scalar=true} forces the plain ones, for tests and comparisons.
 */
public final class CpuKernels {

  private static final Logger log = LoggerFactory.getLogger(CpuKernels.class);

  /** The module whose presence selects the vectorised kernels. */
  public static final String VECTOR_MODULE = "jdk.incubator.vector";

  private CpuKernels() {}

  /** Whether the vectorised kernels will be used. */
  public static boolean vectorized() {
    return !Boolean.getBoolean("tripletcuda.cpu.scalar")
        && ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  static GemmBlocked gemm(WorkerPool pool) {
    if (vectorized()) {
      return new GemmPanama(pool);
    }
    log.info("CPU matrix products run in plain Java: start the JVM with --add-modules {} "
        + "for the vectorised kernels (several times faster)", VECTOR_MODULE);
    return new GemmScalar(pool);
  }

  static AdamUpdate adamUpdate() {
    return vectorized() ? new AdamUpdatePanama() : new AdamUpdate();
  }

  static SumOfSquares sumOfSquares() {
    return vectorized() ? new SumOfSquaresPanama() : new SumOfSquares();
  }

  static KnnScan knnScan() {
    return vectorized() ? new KnnScanPanama() : new KnnScan();
  }
}
