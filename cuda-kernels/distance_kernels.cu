// distance_kernels.cu: squared row norms and pairwise squared L2 distances, the first step of
// the triplet loss and of the nearest-neighbour search.
//
// The distance is ||x_i||^2 + ||y_j||^2 - 2 x_i . y_j, summed in the CPU engine's order
// ((-2 dot + ||x_i||^2) + ||y_j||^2, no fused multiply-add across the steps) and clamped at 0
// keeping NaN, with exact zeros on the diagonal of a set against itself.
//
// Kernels (launched by DistanceKernels.java):
//   row_sq_norms       grid ceil(n / 8), block 256 threads = 8 warps; warp w of block b owns
//                      row 8 b + w, its lanes stride over the columns. No shared memory beyond
//                      the warp shuffles.
//   pairwise_l2_tiled  grid (ceil(m / 64), ceil(n / 64)), block 256 threads; each block owns a
//                      64 x 64 tile of out and thread t = 16 ty + tx its 4 x 4 outputs (see
//                      tile_gemm.cuh). Shared memory: 8.5 KiB static, the staged slices of x
//                      and y.
//
// Pointers (row-major):
//   x (n, d), y (m, d)            the two row sets; y may be x itself
//   x_norms (n), y_norms (m)      squared norms from row_sq_norms (unused when inner != 0)
//   out (n, m) with row pitch ldo  distances; ldo >= m lets a tile land in a wider buffer
//   norms out (n)
#include "common.cuh"
#include "tile_gemm.cuh"

extern "C" __global__ void __launch_bounds__(256)
row_sq_norms(const float* x, int n, int d, float* out) {
  int lane = threadIdx.x % WARP;
  int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
  if (row >= n) {
    return;  // a whole warp leaves together
  }
  const float* xr = x + (long long)row * d;
  float s = 0.f;
  for (int k = lane; k < d; k += WARP) {
    s = fmaf(xr[k], xr[k], s);
  }
  s = warp_sum(s);
  if (lane == 0) {
    out[row] = s;
  }
}

// inner == 0: out = clamp(-2 x_i . y_j + ||x_i||^2 + ||y_j||^2), and exactly 0 where
//              j == i + diag (diag >= 0: x is a slab of y starting at row diag; -1: none).
// inner != 0: out = -x_i . y_j, the inner-product "distance" of the nearest-neighbour search.
extern "C" __global__ void __launch_bounds__(TILE_THREADS)
pairwise_l2_tiled(const float* x, const float* x_norms, int n, const float* y,
                  const float* y_norms, int m, int d, int inner, int diag, float* out,
                  int ldo) {
  int row0 = blockIdx.y * TILE_M;
  int col0 = blockIdx.x * TILE_N;
  float acc[4][4];
  tile_gemm_64x64(false, true, n, m, d, x, d, y, d, row0, col0, acc);

  // Epilogue: the norms, the clamp and the diagonal.
  int tx = threadIdx.x % 16;
  int ty = threadIdx.x / 16;
  for (int i = 0; i < 4; i++) {
    int row = row0 + 4 * ty + i;
    if (row >= n) {
      break;
    }
    float xn = inner ? 0.f : x_norms[row];
    float* orow = out + (long long)row * ldo;
    for (int j = 0; j < 4; j++) {
      int col = col0 + 4 * tx + j;
      if (col >= m) {
        break;
      }
      float v;
      if (inner) {
        v = -acc[i][j];
      } else {
        v = __fadd_rn(__fadd_rn(-2.f * acc[i][j], xn), y_norms[col]);
        v = (diag >= 0 && col == row + diag) ? 0.f : clamp_zero_keep_nan(v);
      }
      orow[col] = v;
    }
  }
}
