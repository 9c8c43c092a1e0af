package dev.tripletcuda.backend.cuda;

/**
 * A row-major FP32 matrix product on the device: c (m, n) = alpha op(a) op(b) + beta c, op(a)
 * (m, k), op(b) (k, n), with row pitches lda, ldb, ldc in elements. With beta == 0, c is not
 * read. Callers pass m, n, k &gt;= 1.
 */
interface DeviceGemm {

  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DevicePointer a,
      int lda, DevicePointer b, int ldb, float beta, DevicePointer c, int ldc);

  /** "cuBLAS 12.x" or "tiled SGEMM kernel", for the backend's description. */
  String describe();
}
