// optimizer_kernels.cu: one Adam or SGD-with-momentum step over a flat parameter buffer, in
// place, with PyTorch's update rules.
//
// Each operation is rounded separately (the _rn intrinsics keep the compiler from fusing a
// multiply and an add), so a step gives bit for bit what the CPU engine's Java code gives.
//
// Kernels (launched by OptimizerKernels.java):
//   adam_step, sgd_step  1-D grid-stride: grid min(ceil(n / 256), 65536), block 256; thread g
//                        owns elements g, g + gridDim.x * 256, ... No shared memory.
//
// Pointers (flat, n elements each): params, grads, m, v (Adam moments), velocity (SGD).
#include "common.cuh"

// g = grads + wd params; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// params -= step_size m / (sqrt(v) / bc2_sqrt + eps), where the host computes
// step_size = lr / (1 - b1^t) and bc2_sqrt = sqrt(1 - b2^t) exactly as the CPU engine does.
extern "C" __global__ void __launch_bounds__(256)
adam_step(float* params, const float* grads, float* m, float* v, long long n, float beta1,
          float beta2, float eps, float weight_decay, float step_size, float bc2_sqrt) {
  float one_minus_b1 = __fsub_rn(1.f, beta1);
  float one_minus_b2 = __fsub_rn(1.f, beta2);
  long long stride = (long long)gridDim.x * blockDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    float w = params[i];
    float g = __fadd_rn(grads[i], __fmul_rn(weight_decay, w));
    float mi = __fadd_rn(__fmul_rn(beta1, m[i]), __fmul_rn(one_minus_b1, g));
    float vi = __fadd_rn(__fmul_rn(beta2, v[i]), __fmul_rn(__fmul_rn(one_minus_b2, g), g));
    m[i] = mi;
    v[i] = vi;
    float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), bc2_sqrt), eps);
    params[i] = __fsub_rn(w, __fdiv_rn(__fmul_rn(step_size, mi), denom));
  }
}

// g = grads + wd params; velocity = momentum velocity + g; params -= lr velocity.
extern "C" __global__ void __launch_bounds__(256)
sgd_step(float* params, const float* grads, float* velocity, long long n, float lr,
         float momentum, float weight_decay) {
  long long stride = (long long)gridDim.x * blockDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    float w = params[i];
    float g = __fadd_rn(grads[i], __fmul_rn(weight_decay, w));
    float u = __fadd_rn(__fmul_rn(momentum, velocity[i]), g);
    velocity[i] = u;
    params[i] = __fsub_rn(w, __fmul_rn(lr, u));
  }
}
