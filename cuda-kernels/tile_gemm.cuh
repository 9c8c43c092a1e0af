// tile_gemm.cuh: the 64 x 64 register-blocked product tile shared by gemm_tiled.cu and
// distance_kernels.cu.
//
// One block of 256 threads computes a 64 x 64 tile of op(A) op(B), op(A) (m, k) and op(B)
// (k, n), walking k in steps of 16. Each step stages a 64 x 16 slice of op(A) and a 16 x 64
// slice of op(B) in shared memory, both stored k-major so that the inner loop reads four
// consecutive rows (or columns) with one 16-byte load. Thread t = 16 * ty + tx owns the outputs
// at tile rows 4*ty .. 4*ty+3 and tile columns 4*tx .. 4*tx+3, held in acc[4][4].
//
// Shared memory: 2 x 16 x 68 floats (8.5 KiB). The pitch of 68 keeps each row 16-byte aligned
// and spreads the k-major stores over the banks.
//
// Pointers: a is A row-major with row pitch lda: (m, k), or (k, m) when transA; b is B row-major
// with pitch ldb: (k, n), or (n, k) when transB.
#pragma once

#define TILE_M 64
#define TILE_N 64
#define TILE_K 16
#define TILE_THREADS 256
#define TILE_PITCH 68

// Element (i, j) of op(X), an (rows, cols) matrix: X[i][j], or X[j][i] when trans; 0 outside.
__device__ __forceinline__ float load_op(const float* x, int ld, bool trans, int i, int j,
                                         int rows, int cols) {
  if (i >= rows || j >= cols) {
    return 0.f;
  }
  return trans ? x[(long long)j * ld + i] : x[(long long)i * ld + j];
}

// acc[4][4] = the thread's outputs of the tile at (row0, col0) of op(A) op(B). Every thread of
// the block must call it with the same arguments; blockDim.x must be TILE_THREADS.
__device__ __forceinline__ void tile_gemm_64x64(bool transA, bool transB, int m, int n, int k,
                                                const float* a, int lda, const float* b,
                                                int ldb, int row0, int col0,
                                                float acc[4][4]) {
  // as[kk][r] = op(A)[row0 + r][k0 + kk]; bs[kk][c] = op(B)[k0 + kk][col0 + c].
  __shared__ __align__(16) float as[TILE_K][TILE_PITCH];
  __shared__ __align__(16) float bs[TILE_K][TILE_PITCH];
  int t = threadIdx.x;
  int tx = t % 16;
  int ty = t / 16;
  for (int i = 0; i < 4; i++) {
    for (int j = 0; j < 4; j++) {
      acc[i][j] = 0.f;
    }
  }

  for (int k0 = 0; k0 < k; k0 += TILE_K) {
    // Stage: 1024 elements of each slice, four per thread. The element order follows the
    // contiguous dimension in global memory so that a warp reads whole segments.
    for (int s = 0; s < 4; s++) {
      int e = t + s * TILE_THREADS;
      int r = transA ? e % TILE_M : e / TILE_K;
      int kk = transA ? e / TILE_M : e % TILE_K;
      as[kk][r] = load_op(a, lda, transA, row0 + r, k0 + kk, m, k);
      int c = transB ? e / TILE_K : e % TILE_N;
      kk = transB ? e % TILE_K : e / TILE_N;
      bs[kk][c] = load_op(b, ldb, transB, k0 + kk, col0 + c, k, n);
    }
    __syncthreads();

    for (int kk = 0; kk < TILE_K; kk++) {
      float4 av = *reinterpret_cast<const float4*>(&as[kk][4 * ty]);
      float4 bv = *reinterpret_cast<const float4*>(&bs[kk][4 * tx]);
      float ar[4] = {av.x, av.y, av.z, av.w};
      float br[4] = {bv.x, bv.y, bv.z, bv.w};
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
          acc[i][j] = fmaf(ar[i], br[j], acc[i][j]);
        }
      }
    }
    // The next step overwrites the slices.
    __syncthreads();
  }
}
