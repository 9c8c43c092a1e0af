// triplet_loss_kernels.cu: the triplet loss and its gradient, mined from a labelled batch
// (batch-all, batch-hard, semi-hard) or over explicit (anchor, positive, negative) lists.
//
// Mined loss, from the (B, B) squared distances D of the batch:
//   1. triplet_mine_*: one block per anchor a writes row a of the coefficient matrix
//      C[a][j] = dLoss/dD[a][j] before the reduction weight (+1 per active triplet using j as
//      positive, -1 per active triplet using j as negative) and the anchor's partial sums. A
//      block owns its row, so no atomics are needed; batch-all counts, for each positive, the
//      negatives inside its margin and, for each negative, the positives whose margin holds it,
//      never forming the (B, B, B) tensor: O(B^2) memory.
//   2. triplet_loss_reduce: one block sums the partials in a fixed order and derives the
//      reduction weight w, which stays on the device for the backward pass.
//   3. triplet_symmetrize: S = C + C^T and r = the row sums of S.
//   4. (host) G = S E, a matrix product.
//   5. triplet_grad_epilogue: dLoss/dE = 2 w (diag(r) E - G), or 0 when nothing is active.
// A triplet is active when d(a, n) < d(a, p) + margin, the sum rounded to float; ties between
// candidates go to the lower index. All of it matches the CPU engine (TripletLossCpu.java).
//
// Kernels (launched by TripletLossKernels.java):
//   triplet_mine_batch_all, triplet_mine_batch_hard, triplet_mine_semi_hard
//                      grid B, block 256. Block a owns anchor a; thread t owns the columns
//                      j = t, t + 256, ... of row a. Shared memory: 256 staged candidates of
//                      the row (distance, threshold, kind; 2.3 KiB) plus the block reductions.
//   triplet_loss_reduce
//                      grid 1, block 256; thread t sums partials t, t + 256, ...
//   triplet_symmetrize grid B, block 256; block i owns row i of S and r[i].
//   triplet_grad_epilogue
//                      1-D grid-stride over B x D, block 256; no shared memory.
//   triplet_explicit_forward, triplet_explicit_backward
//                      grid min(ceil(T / 8), 1024), block 256 = 8 warps; warp w of block b owns
//                      triplets 8 b + w, 8 b + w + 8 gridDim.x, ...; its lanes stride over the
//                      D columns. The forward writes one LossPartial per block; the backward
//                      scatters into grad with atomic adds (not a training hot path).
//
// Pointers (row-major):
//   dist (B, B) squared distances with a zero diagonal; labels (B) class ids
//   coef (B, B) C; selected (B, B) ints, semi-hard scratch: the negative chosen for (a, p)
//   partials (B or gridDim.x) LossPartial; result (1) LossResult (common.cuh)
//   sym (B, B) S; row_sums (B) r; emb (B, D) or (N, D); grad (B, D) or (N, D)
//   anchors, positives, negatives (T) row indices into emb; fault int[4] in mapped host memory
#include "common.cuh"

#define MINE_THREADS 256
#define KIND_NONE 0
#define KIND_POSITIVE 1
#define KIND_NEGATIVE 2

// The role of column j for anchor a.
__device__ __forceinline__ int kind_of(const int* labels, int a, int la, int j) {
  return j == a ? KIND_NONE : (labels[j] == la ? KIND_POSITIVE : KIND_NEGATIVE);
}

// Block-wide sums of the anchor's accumulators, written by thread 0.
__device__ void write_partial(LossPartial* out, double loss, double positive, double negative,
                              long long np, long long nn, long long active,
                              bool all_pairs) {
  loss = block_sum(loss);
  positive = block_sum(positive);
  negative = block_sum(negative);
  np = block_sum(np);
  nn = block_sum(nn);
  active = block_sum(active);
  if (threadIdx.x == 0) {
    LossPartial p;
    bool valid = np > 0 && nn > 0;
    p.loss = valid ? loss : 0.0;
    // Batch-all pairs every positive with every negative: its sums count each distance once
    // per partner. The other modes count each triplet once.
    if (all_pairs) {
      p.positive = valid ? positive * (double)nn : 0.0;
      p.negative = valid ? negative * (double)np : 0.0;
      p.triplets = valid ? np * nn : 0;
    } else {
      p.positive = valid ? positive : 0.0;
      p.negative = valid ? negative : 0.0;
      p.triplets = valid ? np : 0;
    }
    p.active = valid ? active : 0;
    *out = p;
  }
}

// ---------------------------------------------------------------------------------------------
// Batch-all

extern "C" __global__ void __launch_bounds__(MINE_THREADS)
triplet_mine_batch_all(const float* dist, const int* labels, int b, float margin, float* coef,
                       LossPartial* partials) {
  __shared__ float cand_dist[MINE_THREADS];
  __shared__ float cand_threshold[MINE_THREADS];
  __shared__ unsigned char cand_kind[MINE_THREADS];
  int a = blockIdx.x;
  int la = labels[a];
  const float* row = dist + (long long)a * b;
  float* crow = coef + (long long)a * b;
  double loss = 0.0;
  double pos_sum = 0.0;
  double neg_sum = 0.0;
  long long active = 0;
  long long np = 0;
  long long nn = 0;

  for (int j0 = 0; j0 < b; j0 += MINE_THREADS) {
    int j = j0 + threadIdx.x;
    int kind = j < b ? kind_of(labels, a, la, j) : KIND_NONE;
    float dj = j < b ? row[j] : 0.f;
    float tj = __fadd_rn(dj, margin);
    long long count = 0;
    double inside = 0.0;

    // A positive counts the negatives below its threshold; a negative counts the positives
    // whose threshold lies above it. The row is staged 256 candidates at a time.
    for (int k0 = 0; k0 < b; k0 += MINE_THREADS) {
      int k = k0 + threadIdx.x;
      __syncthreads();
      if (k < b) {
        float dk = row[k];
        cand_dist[threadIdx.x] = dk;
        cand_threshold[threadIdx.x] = __fadd_rn(dk, margin);
        cand_kind[threadIdx.x] = (unsigned char)kind_of(labels, a, la, k);
      }
      __syncthreads();
      int len = min(MINE_THREADS, b - k0);
      if (kind == KIND_POSITIVE) {
        for (int c = 0; c < len; c++) {
          if (cand_kind[c] == KIND_NEGATIVE && cand_dist[c] < tj) {
            count++;
            inside += cand_dist[c];
          }
        }
      } else if (kind == KIND_NEGATIVE) {
        for (int c = 0; c < len; c++) {
          if (cand_kind[c] == KIND_POSITIVE && dj < cand_threshold[c]) {
            count++;
          }
        }
      }
    }

    if (kind == KIND_POSITIVE) {
      crow[j] = (float)count;
      active += count;
      loss += (double)count * ((double)dj + (double)margin) - inside;
      pos_sum += dj;
      np++;
    } else if (kind == KIND_NEGATIVE) {
      crow[j] = -(float)count;
      neg_sum += dj;
      nn++;
    } else if (j < b) {
      crow[j] = 0.f;
    }
  }
  write_partial(partials + a, loss, pos_sum, neg_sum, np, nn, active, true);
}

// ---------------------------------------------------------------------------------------------
// Batch-hard

extern "C" __global__ void __launch_bounds__(MINE_THREADS)
triplet_mine_batch_hard(const float* dist, const int* labels, int b, float margin, float* coef,
                        LossPartial* partials) {
  int a = blockIdx.x;
  int la = labels[a];
  const float* row = dist + (long long)a * b;
  float* crow = coef + (long long)a * b;

  // The farthest positive and the nearest negative, ties to the lower index.
  ArgBest far_pos = {0.f, -1};
  ArgBest near_neg = {0.f, -1};
  for (int j = threadIdx.x; j < b; j += MINE_THREADS) {
    int kind = kind_of(labels, a, la, j);
    float d = row[j];
    if (kind == KIND_POSITIVE && better_max(d, j, far_pos.value, far_pos.index)) {
      far_pos.value = d;
      far_pos.index = j;
    } else if (kind == KIND_NEGATIVE && better_min(d, j, near_neg.value, near_neg.index)) {
      near_neg.value = d;
      near_neg.index = j;
    }
  }
  far_pos = block_arg_best<true>(far_pos);
  near_neg = block_arg_best<false>(near_neg);

  bool valid = far_pos.index >= 0 && near_neg.index >= 0;
  float dp = far_pos.value;
  float dn = near_neg.value;
  bool active = valid && dn < __fadd_rn(dp, margin);
  for (int j = threadIdx.x; j < b; j += MINE_THREADS) {
    float c = 0.f;
    if (active && j == far_pos.index) {
      c = 1.f;
    } else if (active && j == near_neg.index) {
      c = -1.f;
    }
    crow[j] = c;
  }
  if (threadIdx.x == 0) {
    LossPartial p;
    p.loss = active ? (double)dp - (double)dn + (double)margin : 0.0;
    p.positive = valid ? (double)dp : 0.0;
    p.negative = valid ? (double)dn : 0.0;
    p.triplets = valid ? 1 : 0;
    p.active = active ? 1 : 0;
    partials[a] = p;
  }
}

// ---------------------------------------------------------------------------------------------
// Semi-hard

extern "C" __global__ void __launch_bounds__(MINE_THREADS)
triplet_mine_semi_hard(const float* dist, const int* labels, int b, float margin, int* selected,
                       float* coef, LossPartial* partials) {
  __shared__ float cand_dist[MINE_THREADS];
  __shared__ int cand_int[MINE_THREADS];
  int a = blockIdx.x;
  int la = labels[a];
  const float* row = dist + (long long)a * b;
  float* crow = coef + (long long)a * b;
  int* srow = selected + (long long)a * b;

  // The farthest negative, the fallback of a positive with no negative beyond it.
  ArgBest farthest = {0.f, -1};
  for (int j = threadIdx.x; j < b; j += MINE_THREADS) {
    float d = row[j];
    if (kind_of(labels, a, la, j) == KIND_NEGATIVE
        && better_max(d, j, farthest.value, farthest.index)) {
      farthest.value = d;
      farthest.index = j;
    }
  }
  farthest = block_arg_best<true>(farthest);

  // Phase 1, positives: the nearest negative strictly farther than the positive.
  double loss = 0.0;
  double pos_sum = 0.0;
  double neg_sum = 0.0;
  long long active = 0;
  long long np = 0;
  long long nn = 0;
  for (int j0 = 0; j0 < b; j0 += MINE_THREADS) {
    int j = j0 + threadIdx.x;
    int kind = j < b ? kind_of(labels, a, la, j) : KIND_NONE;
    float dj = j < b ? row[j] : 0.f;
    ArgBest beyond = {0.f, -1};
    for (int k0 = 0; k0 < b; k0 += MINE_THREADS) {
      int k = k0 + threadIdx.x;
      __syncthreads();
      if (k < b) {
        cand_dist[threadIdx.x] = row[k];
        cand_int[threadIdx.x] = kind_of(labels, a, la, k);
      }
      __syncthreads();
      int len = min(MINE_THREADS, b - k0);
      if (kind == KIND_POSITIVE) {
        for (int c = 0; c < len; c++) {
          float dk = cand_dist[c];
          if (cand_int[c] == KIND_NEGATIVE && dk > dj
              && better_min(dk, k0 + c, beyond.value, beyond.index)) {
            beyond.value = dk;
            beyond.index = k0 + c;
          }
        }
      }
    }
    if (kind == KIND_POSITIVE && farthest.index >= 0) {
      ArgBest sel = beyond.index >= 0 ? beyond : farthest;
      bool on = sel.value < __fadd_rn(dj, margin);
      pos_sum += dj;
      neg_sum += sel.value;
      if (on) {
        active++;
        loss += (double)dj - (double)sel.value + (double)margin;
      }
      crow[j] = on ? 1.f : 0.f;
      srow[j] = on ? sel.index : -1;
      np++;
    } else if (j < b) {
      if (kind != KIND_NEGATIVE) {
        crow[j] = 0.f;
      } else {
        nn++;
      }
      srow[j] = -1;
    }
  }
  // The selections are read back by other threads of this block.
  __syncthreads();

  // Phase 2, negatives: minus the number of positives that selected each one.
  for (int j0 = 0; j0 < b; j0 += MINE_THREADS) {
    int j = j0 + threadIdx.x;
    bool negative = j < b && kind_of(labels, a, la, j) == KIND_NEGATIVE;
    int count = 0;
    for (int k0 = 0; k0 < b; k0 += MINE_THREADS) {
      int k = k0 + threadIdx.x;
      __syncthreads();
      cand_int[threadIdx.x] = k < b ? srow[k] : -1;
      __syncthreads();
      if (negative) {
        int len = min(MINE_THREADS, b - k0);
        for (int c = 0; c < len; c++) {
          count += cand_int[c] == j;
        }
      }
    }
    if (negative) {
      crow[j] = -(float)count;
    }
  }
  write_partial(partials + a, loss, pos_sum, neg_sum, np, nn, active, false);
}

// ---------------------------------------------------------------------------------------------
// Reduction and backward

// reduction: 0 sum, 1 mean over triplets, 2 mean over active triplets.
extern "C" __global__ void __launch_bounds__(256)
triplet_loss_reduce(const LossPartial* partials, int count, int reduction, LossResult* result) {
  double loss = 0.0;
  double positive = 0.0;
  double negative = 0.0;
  long long triplets = 0;
  long long active = 0;
  for (int i = threadIdx.x; i < count; i += blockDim.x) {
    LossPartial p = partials[i];
    loss += p.loss;
    positive += p.positive;
    negative += p.negative;
    triplets += p.triplets;
    active += p.active;
  }
  loss = block_sum(loss);
  positive = block_sum(positive);
  negative = block_sum(negative);
  triplets = block_sum(triplets);
  active = block_sum(active);
  if (threadIdx.x == 0) {
    double w = 1.0;
    if (reduction == 1) {
      w = triplets == 0 ? 0.0 : 1.0 / (double)triplets;
    } else if (reduction == 2) {
      w = active == 0 ? 0.0 : 1.0 / (double)active;
    }
    LossResult r;
    r.loss = loss;
    r.positive = positive;
    r.negative = negative;
    r.triplets = triplets;
    r.active = active;
    r.weight = (float)w;
    r.unused = 0;
    *result = r;
  }
}

// sym = coef + coef^T, row_sums[i] = sum_j sym[i][j]. The transposed read is strided; at the
// batch sizes of training the matrix sits in L2.
extern "C" __global__ void __launch_bounds__(256)
triplet_symmetrize(const float* coef, int b, float* sym, float* row_sums) {
  int i = blockIdx.x;
  float s = 0.f;
  for (int j = threadIdx.x; j < b; j += blockDim.x) {
    float v = coef[(long long)i * b + j] + coef[(long long)j * b + i];
    sym[(long long)i * b + j] = v;
    s += v;
  }
  s = block_sum(s);
  if (threadIdx.x == 0) {
    row_sums[i] = s;
  }
}

// In place: grad holds G = S E on entry and 2 w (r_i E_i - G_i) on exit, rounded as the CPU
// engine rounds: (-2w) G + (2w r_i) E.
extern "C" __global__ void __launch_bounds__(256)
triplet_grad_epilogue(const float* emb, const float* row_sums, const LossResult* result, int b,
                      int d, float* grad) {
  float w = result->weight;
  bool zero = result->active == 0 || w == 0.f;
  float two_w = 2.f * w;
  long long total = (long long)b * d;
  long long stride = (long long)gridDim.x * blockDim.x;
  for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
    if (zero) {
      grad[e] = 0.f;
    } else {
      float scale = __fmul_rn(two_w, row_sums[e / d]);
      grad[e] = __fadd_rn(__fmul_rn(-two_w, grad[e]), __fmul_rn(scale, emb[e]));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Explicit triplets

// d(a, p) and d(a, n) of one triplet, summed by one warp; every lane gets both. The forward and
// backward kernels call this same code, so they agree on which triplets are active.
__device__ __forceinline__ void warp_triplet_distances(const float* emb, int d, int a, int p,
                                                       int n, float* dp, float* dn) {
  int lane = threadIdx.x % WARP;
  const float* ea = emb + (long long)a * d;
  const float* ep = emb + (long long)p * d;
  const float* en = emb + (long long)n * d;
  float sp = 0.f;
  float sn = 0.f;
  for (int k = lane; k < d; k += WARP) {
    float x = __fsub_rn(ea[k], ep[k]);
    float y = __fsub_rn(ea[k], en[k]);
    sp = __fadd_rn(sp, __fmul_rn(x, x));
    sn = __fadd_rn(sn, __fmul_rn(y, y));
  }
  *dp = __shfl_sync(FULL_MASK, warp_sum(sp), 0);
  *dn = __shfl_sync(FULL_MASK, warp_sum(sn), 0);
}

__device__ __forceinline__ bool triplet_in_range(int a, int p, int n, int rows) {
  return a >= 0 && a < rows && p >= 0 && p < rows && n >= 0 && n < rows;
}

extern "C" __global__ void __launch_bounds__(256)
triplet_explicit_forward(const float* emb, int rows, int d, const int* anchors,
                         const int* positives, const int* negatives, int count, float margin,
                         LossPartial* partials, int* fault) {
  int lane = threadIdx.x % WARP;
  int warps = blockDim.x / WARP;
  double loss = 0.0;
  double pos_sum = 0.0;
  double neg_sum = 0.0;
  long long active = 0;
  long long triplets = 0;
  for (int t = blockIdx.x * warps + threadIdx.x / WARP; t < count; t += gridDim.x * warps) {
    int a = anchors[t];
    int p = positives[t];
    int n = negatives[t];
    if (!triplet_in_range(a, p, n, rows)) {
      if (lane == 0) {
        int bad = (a < 0 || a >= rows) ? a : ((p < 0 || p >= rows) ? p : n);
        report_fault(fault, FAULT_TRIPLET_INDEX, t, bad, rows);
      }
      continue;
    }
    float dp;
    float dn;
    warp_triplet_distances(emb, d, a, p, n, &dp, &dn);
    if (lane == 0) {
      triplets++;
      pos_sum += dp;
      neg_sum += dn;
      if (dn < __fadd_rn(dp, margin)) {
        active++;
        loss += (double)dp - (double)dn + (double)margin;
      }
    }
  }
  loss = block_sum(loss);
  pos_sum = block_sum(pos_sum);
  neg_sum = block_sum(neg_sum);
  active = block_sum(active);
  triplets = block_sum(triplets);
  if (threadIdx.x == 0) {
    LossPartial part;
    part.loss = loss;
    part.positive = pos_sum;
    part.negative = neg_sum;
    part.triplets = triplets;
    part.active = active;
    partials[blockIdx.x] = part;
  }
}

// grad (zeroed by the host) += the gradient of every active triplet, scaled by 2 w.
extern "C" __global__ void __launch_bounds__(256)
triplet_explicit_backward(const float* emb, int rows, int d, const int* anchors,
                          const int* positives, const int* negatives, int count, float margin,
                          const LossResult* result, float* grad) {
  float s = 2.f * result->weight;
  if (s == 0.f) {
    return;
  }
  int lane = threadIdx.x % WARP;
  int warps = blockDim.x / WARP;
  for (int t = blockIdx.x * warps + threadIdx.x / WARP; t < count; t += gridDim.x * warps) {
    int a = anchors[t];
    int p = positives[t];
    int n = negatives[t];
    if (!triplet_in_range(a, p, n, rows)) {
      continue;
    }
    float dp;
    float dn;
    warp_triplet_distances(emb, d, a, p, n, &dp, &dn);
    if (!(dn < __fadd_rn(dp, margin))) {
      continue;
    }
    const float* ea = emb + (long long)a * d;
    const float* ep = emb + (long long)p * d;
    const float* en = emb + (long long)n * d;
    for (int k = lane; k < d; k += WARP) {
      float ak = ea[k];
      float pk = ep[k];
      float nk = en[k];
      atomicAdd(grad + (long long)a * d + k, __fmul_rn(s, __fsub_rn(nk, pk)));
      atomicAdd(grad + (long long)p * d + k, __fmul_rn(s, __fsub_rn(pk, ak)));
      atomicAdd(grad + (long long)n * d + k, __fmul_rn(s, __fsub_rn(ak, nk)));
    }
  }
}
