// layer_kernels.cu: the elementwise and row-wise steps of the dense network around its matrix
// products: bias + activation, the ReLU backward, the bias gradient (column sums), the gather
// of a batch's rows, and the row L2-normalisation with its backward.
//
// Every result equals the CPU engine's up to the order of float additions inside one row;
// column_sums adds in the CPU's order and is bit-identical.
//
// Kernels (launched by LayerKernels.java):
//   bias_activation, relu_backward, gather_rows
//                   1-D grid-stride: grid min(ceil(total / 256), 65536), block 256; thread g
//                   owns elements g, g + gridDim.x * 256, ... of the (rows, cols) matrix
//                   flattened. No shared memory.
//   column_sums     grid ceil(cols / 256), block 256; thread j owns column j and walks its
//                   rows in order. No shared memory.
//   l2_normalize_rows, l2_normalize_rows_backward
//                   grid ceil(rows / 8), block 256 = 8 warps; warp w of block b owns row
//                   8 b + w, its lanes stride over the columns. No shared memory.
//
// Pointers (row-major):
//   z, grad, activated (rows, cols); bias (cols); x (rows, cols); out (cols)
//   src (src_rows, cols), idx (count), dst (count, cols), fault int[4] in mapped host memory
//   x, y, gy, gx (rows, d); norms (rows)
#include "common.cuh"

// In place: z[i][j] = act(z[i][j] + bias[j]), act = max(0, .) (NaN kept) when relu != 0.
extern "C" __global__ void __launch_bounds__(256)
bias_activation(float* z, int rows, int cols, const float* bias, int relu) {
  long long total = (long long)rows * cols;
  long long stride = (long long)gridDim.x * blockDim.x;
  for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
    float v = z[e] + bias[e % cols];
    z[e] = relu ? clamp_zero_keep_nan(v) : v;
  }
}

// In place: grad = activated > 0 ? grad : 0 (a NaN activation blocks the gradient).
extern "C" __global__ void __launch_bounds__(256)
relu_backward(float* grad, const float* activated, long long size) {
  long long stride = (long long)gridDim.x * blockDim.x;
  for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < size; e += stride) {
    if (!(activated[e] > 0.f)) {
      grad[e] = 0.f;
    }
  }
}

// out[j] = sum over i in order of x[i][j]. Adjacent threads read adjacent columns of one row,
// so every row is read in whole segments.
extern "C" __global__ void __launch_bounds__(256)
column_sums(const float* x, int rows, int cols, float* out) {
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= cols) {
    return;
  }
  float s = 0.f;
  for (int i = 0; i < rows; i++) {
    s += x[(long long)i * cols + j];
  }
  out[j] = s;
}

// dst[i] = src[idx[i]]. An index outside [0, src_rows) leaves a zero row and is reported
// through the fault word.
extern "C" __global__ void __launch_bounds__(256)
gather_rows(const float* src, int src_rows, int cols, const int* idx, int count, float* dst,
            int* fault) {
  long long total = (long long)count * cols;
  long long stride = (long long)gridDim.x * blockDim.x;
  for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
    int i = (int)(e / cols);
    int c = (int)(e % cols);
    int r = idx[i];
    if (r < 0 || r >= src_rows) {
      dst[e] = 0.f;
      if (c == 0) {
        report_fault(fault, FAULT_GATHER_INDEX, i, r, src_rows);
      }
    } else {
      dst[e] = src[(long long)r * cols + c];
    }
  }
}

// y[i] = x[i] / norms[i], norms[i] = max(||x[i]||, 1e-12) (NaN kept), so a zero row stays zero.
extern "C" __global__ void __launch_bounds__(256)
l2_normalize_rows(const float* x, int rows, int d, float* y, float* norms) {
  int lane = threadIdx.x % WARP;
  int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
  if (row >= rows) {
    return;
  }
  const float* xr = x + (long long)row * d;
  float s = 0.f;
  for (int k = lane; k < d; k += WARP) {
    s = fmaf(xr[k], xr[k], s);
  }
  s = __shfl_sync(FULL_MASK, warp_sum(s), 0);

  float norm = sqrtf(s);
  norm = (norm != norm) ? norm : (norm > 1e-12f ? norm : 1e-12f);
  float inv = 1.f / norm;
  float* yr = y + (long long)row * d;
  for (int k = lane; k < d; k += WARP) {
    yr[k] = xr[k] * inv;
  }
  if (lane == 0) {
    norms[row] = norm;
  }
}

// gx[i] = (gy[i] - y[i] (y[i] . gy[i])) / norms[i].
extern "C" __global__ void __launch_bounds__(256)
l2_normalize_rows_backward(const float* y, const float* norms, const float* gy, int rows, int d,
                           float* gx) {
  int lane = threadIdx.x % WARP;
  int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
  if (row >= rows) {
    return;
  }
  const float* yr = y + (long long)row * d;
  const float* gr = gy + (long long)row * d;
  float dot = 0.f;
  for (int k = lane; k < d; k += WARP) {
    dot = fmaf(yr[k], gr[k], dot);
  }
  dot = __shfl_sync(FULL_MASK, warp_sum(dot), 0);

  float inv = 1.f / norms[row];
  float* xr = gx + (long long)row * d;
  for (int k = lane; k < d; k += WARP) {
    xr[k] = (gr[k] - yr[k] * dot) * inv;
  }
}
