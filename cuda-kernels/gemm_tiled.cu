// gemm_tiled.cu: the engine's own FP32 matrix product, c = alpha op(a) op(b) + beta c, for
// every combination of transposes. The CUDA backend uses it where cuBLAS cannot be loaded.
//
// Kernels (launched by GemmTiled.java):
//   gemm_tiled_64x64  grid (ceil(n / 64), ceil(m / 64)), block 256 threads. Each block owns a
//                     64 x 64 tile of c; thread t = 16 * ty + tx owns the 4 x 4 outputs at tile
//                     rows 4*ty.. and columns 4*tx.. (see tile_gemm.cuh). Shared memory: 8.5 KiB
//                     static, the staged 64 x 16 and 16 x 64 slices of op(a) and op(b).
//
// Pointers (row-major, pitches in elements):
//   a  (m, k) with pitch lda, or (k, m) when transA != 0
//   b  (k, n) with pitch ldb, or (n, k) when transB != 0
//   c  (m, n) with pitch ldc; read only when beta != 0, so NaNs in c do not spread when beta == 0
#include "common.cuh"
#include "tile_gemm.cuh"

extern "C" __global__ void __launch_bounds__(TILE_THREADS)
gemm_tiled_64x64(int transA, int transB, int m, int n, int k, float alpha, const float* a,
                 int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  int row0 = blockIdx.y * TILE_M;
  int col0 = blockIdx.x * TILE_N;
  float acc[4][4];
  tile_gemm_64x64(transA != 0, transB != 0, m, n, k, a, lda, b, ldb, row0, col0, acc);

  // Epilogue: scale and add, inside the bounds of c only.
  int tx = threadIdx.x % 16;
  int ty = threadIdx.x / 16;
  for (int i = 0; i < 4; i++) {
    int row = row0 + 4 * ty + i;
    if (row >= m) {
      break;
    }
    float* crow = c + (long long)row * ldc;
    for (int j = 0; j < 4; j++) {
      int col = col0 + 4 * tx + j;
      if (col < n) {
        float v = alpha * acc[i][j];
        crow[col] = beta == 0.f ? v : v + beta * crow[col];
      }
    }
  }
}
