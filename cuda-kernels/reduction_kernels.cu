// reduction_kernels.cu: the sum and the sum of squares of a float buffer, accumulated in double,
// in two passes: per-block partial sums, then one block over the partials. The order of the
// additions depends only on n and the grid, so a result repeats exactly; NaN and infinity
// propagate.
//
// Kernels (launched by ReductionKernels.java):
//   reduce_sum_partials  grid G = min(ceil(n / 256), 1024), block 256; thread g sums elements
//                        g, g + 256 G, ... then the block adds its threads' sums. Block b
//                        writes partials[b].
//   reduce_sum_final     grid 1, block 256; sums partials[0 .. count) into out[0].
// Shared memory: 32 doubles in each, the per-warp sums of block_sum (common.cuh).
//
// Pointers: x (n) floats; partials (G) doubles; out (1) double.
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(256)
reduce_sum_partials(const float* x, long long n, int squares, double* partials) {
  long long stride = (long long)gridDim.x * blockDim.x;
  double s = 0.0;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    double v = x[i];
    s += squares ? v * v : v;
  }
  s = block_sum(s);
  if (threadIdx.x == 0) {
    partials[blockIdx.x] = s;
  }
}

extern "C" __global__ void __launch_bounds__(256)
reduce_sum_final(const double* partials, int count, double* out) {
  double s = 0.0;
  for (int i = threadIdx.x; i < count; i += blockDim.x) {
    s += partials[i];
  }
  s = block_sum(s);
  if (threadIdx.x == 0) {
    out[0] = s;
  }
}
