// common.cuh: helpers shared by the kernel files.
//
// Reductions within a warp and a block (float, double, long long and (value, index) pairs with
// the lower index winning ties), the NaN-keeping clamp at zero that the CPU engine uses, the
// 64-bit sort keys of the top-k selection, and the fault word through which a kernel reports a
// bad index to the host.
//
// Only compiler built-ins are used, no system headers, so that NVRTC compiles every file that
// includes this one exactly as nvcc does.
#pragma once

#define WARP 32
#define FULL_MASK 0xffffffffu

// ---------------------------------------------------------------------------------------------
// Scalars

// max(v, 0) as java.lang.Math.max(v, 0f) computes it: NaN stays NaN and -0 becomes +0.
__device__ __forceinline__ float clamp_zero_keep_nan(float v) {
  if (v != v) {
    return v;
  }
  return v > 0.f ? v : 0.f;
}

// ---------------------------------------------------------------------------------------------
// Warp reductions: every lane of a full warp must take part; lane 0 holds the result.

__device__ __forceinline__ float warp_sum(float v) {
  for (int off = WARP / 2; off > 0; off >>= 1) {
    v += __shfl_down_sync(FULL_MASK, v, off);
  }
  return v;
}

__device__ __forceinline__ double warp_sum(double v) {
  for (int off = WARP / 2; off > 0; off >>= 1) {
    v += __shfl_down_sync(FULL_MASK, v, off);
  }
  return v;
}

__device__ __forceinline__ long long warp_sum(long long v) {
  for (int off = WARP / 2; off > 0; off >>= 1) {
    v += __shfl_down_sync(FULL_MASK, v, off);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Block reductions: every thread of the block must call, blockDim.x a multiple of 32 and at
// most 1024. Thread 0 gets the result; the others get a partial value. The order of additions
// is fixed by the block shape, so a result repeats exactly from run to run.

template <typename T>
__device__ T block_sum(T v) {
  __shared__ T partial[WARP];
  int lane = threadIdx.x % WARP;
  int warp = threadIdx.x / WARP;
  v = warp_sum(v);
  __syncthreads();  // partial may still be read by a previous call
  if (lane == 0) {
    partial[warp] = v;
  }
  __syncthreads();
  int warps = blockDim.x / WARP;
  if (warp == 0) {
    v = lane < warps ? partial[lane] : T(0);
    v = warp_sum(v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Arg-extremum: (value, index) pairs, the lower index winning ties. An index of -1 means
// "none yet" and loses to every real candidate.

struct ArgBest {
  float value;
  int index;
};

// Whether (va, ia) should be kept over (vb, ib) when looking for the largest value.
__device__ __forceinline__ bool better_max(float va, int ia, float vb, int ib) {
  if (ia < 0) {
    return false;
  }
  if (ib < 0) {
    return true;
  }
  return va > vb || (va == vb && ia < ib);
}

// Whether (va, ia) should be kept over (vb, ib) when looking for the smallest value.
__device__ __forceinline__ bool better_min(float va, int ia, float vb, int ib) {
  if (ia < 0) {
    return false;
  }
  if (ib < 0) {
    return true;
  }
  return va < vb || (va == vb && ia < ib);
}

template <bool MAX>
__device__ ArgBest warp_arg_best(ArgBest b) {
  for (int off = WARP / 2; off > 0; off >>= 1) {
    float v = __shfl_down_sync(FULL_MASK, b.value, off);
    int i = __shfl_down_sync(FULL_MASK, b.index, off);
    bool take = MAX ? better_max(v, i, b.value, b.index) : better_min(v, i, b.value, b.index);
    if (take) {
      b.value = v;
      b.index = i;
    }
  }
  return b;
}

// Every thread of the block must call; every thread gets the block's best.
template <bool MAX>
__device__ ArgBest block_arg_best(ArgBest b) {
  __shared__ float values[WARP];
  __shared__ int indices[WARP];
  __shared__ ArgBest result;
  int lane = threadIdx.x % WARP;
  int warp = threadIdx.x / WARP;
  b = warp_arg_best<MAX>(b);
  __syncthreads();
  if (lane == 0) {
    values[warp] = b.value;
    indices[warp] = b.index;
  }
  __syncthreads();
  if (warp == 0) {
    int warps = blockDim.x / WARP;
    ArgBest c;
    c.value = lane < warps ? values[lane] : 0.f;
    c.index = lane < warps ? indices[lane] : -1;
    c = warp_arg_best<MAX>(c);
    if (lane == 0) {
      result = c;
    }
  }
  __syncthreads();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Sort keys: (distance, index) packed so that unsigned order is distance order, then index
// order. -0 is folded into +0 so that the two zeros tie as they do in Java comparisons.

__device__ __forceinline__ unsigned long long order_key(float d, int index) {
  if (d == 0.f) {
    d = 0.f;
  }
  unsigned int u = __float_as_uint(d);
  u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return ((unsigned long long)u << 32) | (unsigned int)index;
}

__device__ __forceinline__ float key_distance(unsigned long long key) {
  unsigned int u = (unsigned int)(key >> 32);
  u = (u & 0x80000000u) ? (u & 0x7fffffffu) : ~u;
  return __uint_as_float(u);
}

__device__ __forceinline__ int key_index(unsigned long long key) {
  return (int)(unsigned int)(key & 0xffffffffu);
}

// Larger than every key order_key makes for a finite or infinite distance: pads a sort.
#define KEY_PAD 0xffffffffffffffffull

// ---------------------------------------------------------------------------------------------
// Faults: int fault[4] in mapped host memory, {code, a, b, c}; the first fault wins and the
// host reads it at its next synchronisation. Codes are listed in CudaDevice.java.

#define FAULT_GATHER_INDEX 1
#define FAULT_TRIPLET_INDEX 2

__device__ __forceinline__ void report_fault(int* fault, int code, int a, int b, int c) {
  if (atomicCAS(fault, 0, -1) == 0) {
    fault[1] = a;
    fault[2] = b;
    fault[3] = c;
    __threadfence_system();
    atomicExch(fault, code);
  }
}

// ---------------------------------------------------------------------------------------------
// Triplet-loss accumulators, written by the mining kernels per anchor (or per block of explicit
// triplets) and summed by triplet_loss_reduce. Layouts are read by TripletLossKernels.java.

struct LossPartial {
  double loss;         // sum of hinge losses of the active triplets
  double positive;     // sum of d(a, p) over the triplets considered
  double negative;     // sum of d(a, n) over the triplets considered
  long long triplets;  // triplets considered
  long long active;    // triplets with d(a, n) < d(a, p) + margin
};

struct LossResult {
  double loss;  // unreduced: the sum
  double positive;
  double negative;
  long long triplets;
  long long active;
  float weight;  // the reduction's factor: 1, 1/triplets or 1/active, 0 for an empty divisor
  int unused;
};
