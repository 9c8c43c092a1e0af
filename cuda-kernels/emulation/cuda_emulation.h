// cuda_emulation.h: just enough of CUDA to run this folder's kernels on the CPU, one OS thread
// per CUDA thread, for checking their logic on a machine without a GPU.
//
// A block runs as blockDim.x std::threads sharing a std::barrier for __syncthreads; each warp
// of 32 shares a second barrier and a slot array for the shuffles. Blocks run one after the
// other, so a function-local "static" (what __shared__ becomes here) is the block's shared
// memory; "extern __shared__" arrays are rewritten by run.sh into globals the checks define. A thread that returns drops out of both barriers, as an exited CUDA thread no longer
// holds back __syncthreads. Floating-point operations are the host's, compiled without
// contraction (-ffp-contract=off): the _rn intrinsics round as on the device, fmaf fuses.
//
// Only what the kernels use is here: 1-D blocks, grids up to 2-D, the shuffles, the atomics
// on int and float, the float bit casts and the rounding intrinsics.
#pragma once

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(n)
#define __restrict__

struct uint3 {
  unsigned int x = 0, y = 0, z = 0;
};
struct dim3 {
  unsigned int x = 1, y = 1, z = 1;
};
struct alignas(16) float4 {
  float x, y, z, w;
};

namespace emu {

struct Warp {
  explicit Warp(int lanes) : bar(lanes) {}
  std::barrier<> bar;
  unsigned long long slots[32];
};

struct Block {
  explicit Block(int threads) : bar(threads) {}
  std::barrier<> bar;
};

inline thread_local Block* block = nullptr;
inline thread_local Warp* warp = nullptr;

}  // namespace emu

inline thread_local uint3 threadIdx;
inline thread_local uint3 blockIdx;
inline thread_local dim3 blockDim;
inline thread_local dim3 gridDim;

inline void __syncthreads() { emu::block->bar.arrive_and_wait(); }

template <typename T>
inline T emu_exchange(T v, int from_lane) {
  emu::Warp& w = *emu::warp;
  int lane = threadIdx.x % 32;
  static_assert(sizeof(T) <= 8, "shuffle of at most 8 bytes");
  w.bar.arrive_and_wait();
  std::memcpy(&w.slots[lane], &v, sizeof(T));
  w.bar.arrive_and_wait();
  T r = v;
  if (from_lane >= 0 && from_lane < 32) {
    std::memcpy(&r, &w.slots[from_lane], sizeof(T));
  }
  w.bar.arrive_and_wait();
  return r;
}

template <typename T>
inline T __shfl_down_sync(unsigned, T v, int offset) {
  int lane = threadIdx.x % 32;
  return emu_exchange(v, lane + offset < 32 ? lane + offset : -1);
}

template <typename T>
inline T __shfl_sync(unsigned, T v, int src) {
  return emu_exchange(v, src);
}

inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline unsigned int __float_as_uint(float f) {
  unsigned int u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float __uint_as_float(unsigned int u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
using std::min;
using std::max;

inline int atomicCAS(int* p, int expected, int desired) {
  std::atomic_ref<int> r(*p);
  r.compare_exchange_strong(expected, desired);
  return expected;
}
inline int atomicExch(int* p, int v) { return std::atomic_ref<int>(*p).exchange(v); }
inline float atomicAdd(float* p, float v) { return std::atomic_ref<float>(*p).fetch_add(v); }
inline void __threadfence_system() { std::atomic_thread_fence(std::memory_order_seq_cst); }

namespace emu {

// Runs body once per thread of a (grid.x, grid.y) grid of blocks of `threads` threads.
inline void launch(dim3 grid, int threads, const std::function<void()>& body) {
  for (unsigned by = 0; by < grid.y; by++) {
    for (unsigned bx = 0; bx < grid.x; bx++) {
      Block blk(threads);
      std::vector<std::unique_ptr<Warp>> warps;
      for (int w = 0; w < (threads + 31) / 32; w++) {
        warps.push_back(std::make_unique<Warp>(std::min(32, threads - 32 * w)));
      }
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; t++) {
        pool.emplace_back([&, t] {
          threadIdx = {(unsigned)t, 0, 0};
          blockIdx = {bx, by, 0};
          blockDim = {(unsigned)threads, 1, 1};
          gridDim = grid;
          block = &blk;
          warp = warps[t / 32].get();
          body();
          warp->bar.arrive_and_drop();
          block->bar.arrive_and_drop();
        });
      }
      for (auto& th : pool) {
        th.join();
      }
    }
  }
}

}  // namespace emu
