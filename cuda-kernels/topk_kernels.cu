// topk_kernels.cu: exact k-nearest-neighbour selection for any k, tiled over the base so that
// memory stays bounded.
//
// The host walks the base in tiles of up to 2048 rows. For each tile a (Q, cols) block of
// distances is computed (distance_kernels.cu), then topk_tile_merge sorts each query's tile
// distances as (distance, index) keys and merges them into the query's running list of the
// best keys so far. Keys (common.cuh) order by distance, then by base index, so ties go to the
// lower index exactly as in the CPU engine, and the result does not depend on the tiling.
// topk_write unpacks the final lists.
//
// Kernels (launched by TopKKernels.java):
//   topk_tile_merge  grid Q (one block per query), block 256. Shared memory: sort_size keys
//                    (dynamic, 8 bytes each, sort_size = the tile width rounded up to a power
//                    of two, at most 2048: 16 KiB). Thread t compares-and-swaps the key pairs
//                    t, t + 256, ... of each bitonic step, then places list entries t,
//                    t + 256, ... and tile keys t, t + 256, ... at their merged ranks.
//   topk_write       1-D grid-stride over Q x k, block 256; no shared memory.
//
// Pointers (row-major):
//   dist (Q, cols) with row pitch ldd   the tile's distances, base rows col0 .. col0 + cols
//   list_in, list_out (Q, k) keys       the best list_len keys so far, ascending; the merge
//                                       reads one buffer and writes the other
//   out_idx (Q, k) ints, out_dist (Q, k) floats
#include "common.cuh"

#define TOPK_THREADS 256

// The number of keys[0 .. len) below key; keys ascending and distinct.
__device__ __forceinline__ int rank_below(const unsigned long long* keys, int len,
                                          unsigned long long key) {
  int lo = 0;
  int hi = len;
  while (lo < hi) {
    int mid = (lo + hi) >> 1;
    if (keys[mid] < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

extern "C" __global__ void __launch_bounds__(TOPK_THREADS)
topk_tile_merge(const float* dist, int ldd, int cols, int col0, int k, int list_len,
                const unsigned long long* list_in, unsigned long long* list_out,
                int sort_size) {
  extern __shared__ unsigned long long keys[];
  int q = blockIdx.x;
  const float* drow = dist + (long long)q * ldd;

  // Keys of the tile, padded to a power of two with keys above every real one.
  for (int i = threadIdx.x; i < sort_size; i += TOPK_THREADS) {
    keys[i] = i < cols ? order_key(drow[i], col0 + i) : KEY_PAD;
  }

  // Bitonic sort, ascending.
  for (int size = 2; size <= sort_size; size <<= 1) {
    for (int stride = size >> 1; stride > 0; stride >>= 1) {
      __syncthreads();
      for (int i = threadIdx.x; i < sort_size / 2; i += TOPK_THREADS) {
        int lo = 2 * i - (i & (stride - 1));
        int hi = lo + stride;
        bool ascending = (lo & size) == 0;
        unsigned long long x = keys[lo];
        unsigned long long y = keys[hi];
        if ((x > y) == ascending) {
          keys[lo] = y;
          keys[hi] = x;
        }
      }
    }
  }
  __syncthreads();

  // Merge: an entry's rank in the union is its own position plus the number of entries of
  // the other list below it (all keys are distinct); only ranks below k survive.
  int tile_len = min(k, cols);
  int new_len = min(k, list_len + tile_len);
  const unsigned long long* in = list_in + (long long)q * k;
  unsigned long long* out = list_out + (long long)q * k;
  for (int i = threadIdx.x; i < list_len; i += TOPK_THREADS) {
    unsigned long long key = in[i];
    int rank = i + rank_below(keys, tile_len, key);
    if (rank < new_len) {
      out[rank] = key;
    }
  }
  for (int j = threadIdx.x; j < tile_len; j += TOPK_THREADS) {
    unsigned long long key = keys[j];
    int rank = j + rank_below(in, list_len, key);
    if (rank < new_len) {
      out[rank] = key;
    }
  }
}

extern "C" __global__ void __launch_bounds__(TOPK_THREADS)
topk_write(const unsigned long long* list, int rows, int k, int* out_idx, float* out_dist) {
  long long total = (long long)rows * k;
  long long stride = (long long)gridDim.x * blockDim.x;
  for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
    unsigned long long key = list[e];
    out_idx[e] = key_index(key);
    out_dist[e] = key_distance(key);
  }
}
