package dev.tripletcuda.backend.cuda;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasPointerMode;
import jcuda.runtime.cudaStream_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Matrix products through cuBLAS (JCublas2, which needs libcublas.so.12). cuBLAS is
 * column-major; a row-major (r, c) matrix is the column-major (c, r) matrix of its transpose,
 * so the row-major c = op(a) op(b) is computed as the column-major c^T = op(b)^T op(a)^T: the
 * operands swap places and keep their transpose flags.
 */
final class CublasGemm implements DeviceGemm {

  private static final Logger log = LoggerFactory.getLogger(CublasGemm.class);

  /** Why cuBLAS could not be loaded, once known; logged once per JVM. */
  private static volatile String unavailable;

  private final cublasHandle handle;
  private final String version;
  /** Host scalars, rewritten per call; the pointers to them are built once. */
  private final float[] alpha = new float[1];
  private final float[] beta = new float[1];
  private final Pointer alphaPointer = Pointer.to(alpha);
  private final Pointer betaPointer = Pointer.to(beta);

  private CublasGemm(cublasHandle handle, String version) {
    this.handle = handle;
    this.version = version;
  }

  /**
   * cuBLAS on the given stream, or null when it cannot be loaded; the reason is logged once
   * and kept for {@link #unavailableReason()}.
   */
  static CublasGemm tryOpen(CUstream stream) {
    try {
      JCublas2.setExceptionsEnabled(true);
      cublasHandle h = new cublasHandle();
      JCublas2.cublasCreate(h);
      try {
        JCublas2.cublasSetStream(h, new cudaStream_t(stream));
        JCublas2.cublasSetPointerMode(h, cublasPointerMode.CUBLAS_POINTER_MODE_HOST);
        int[] v = new int[1];
        JCublas2.cublasGetVersion(h, v);
        return new CublasGemm(h, v[0] / 10000 + "." + (v[0] % 10000) / 100 + "."
            + v[0] % 100);
      } catch (CudaException e) {
        JCublas2.cublasDestroy(h);
        throw e;
      }
    } catch (LinkageError e) {
      noteUnavailable(CudaNatives.describe(e));
    } catch (CudaException e) {
      noteUnavailable("cuBLAS did not start: " + e.getMessage());
    }
    return null;
  }

  private static synchronized void noteUnavailable(String why) {
    if (unavailable == null) {
      unavailable = why;
      log.info("cuBLAS is not available ({}); matrix products run on the built-in tiled "
          + "SGEMM kernel", why);
    }
  }

  /** Why cuBLAS could not be loaded, or null when it could (or was never tried). */
  static String unavailableReason() {
    return unavailable;
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      DevicePointer a, int lda, DevicePointer b, int ldb, float beta, DevicePointer c,
      int ldc) {
    this.alpha[0] = alpha;
    this.beta[0] = beta;
    try {
      JCublas2.cublasSgemm(handle, transB ? CUBLAS_OP_T : CUBLAS_OP_N,
          transA ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, alphaPointer, b, ldb, a, lda,
          betaPointer, c, ldc);
    } catch (CudaException e) {
      throw DeviceFailureException.of("running cublasSgemm for a (" + m + " x " + k + ") by ("
          + k + " x " + n + ") product", e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "cuBLAS " + version;
  }

  void close() {
    try {
      JCublas2.cublasDestroy(handle);
    } catch (CudaException e) {
      log.debug("cublasDestroy failed: {}", e.getMessage());
    }
  }
}
