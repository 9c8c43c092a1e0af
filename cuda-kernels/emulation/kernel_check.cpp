// kernel_check.cpp: runs every kernel of cuda-kernels/ under cuda_emulation.h and compares it
// with a plain, independent reference (brute force where the kernel is clever): a check of the
// kernels' logic (indexing, tiling, tie-breaks, reductions, edge sizes) on a machine without a
// GPU. Timing and the GPU's own rounding are the GPU tests' business.
//
// Built and run by run.sh, which includes rewritten copies of the kernel files through
// kernels_all.inc. Prints one line per failed comparison and PASS or FAIL at the end.
#include <cinttypes>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "cuda_emulation.h"
#include "kernels_all.inc"

unsigned long long keys[4096];  // the dynamic shared memory of topk_tile_merge

static int failures = 0;
static int checks = 0;

#define CHECK(cond, ...)                                   \
  do {                                                     \
    checks++;                                              \
    if (!(cond)) {                                         \
      failures++;                                          \
      std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      std::fprintf(stderr, __VA_ARGS__);                   \
      std::fprintf(stderr, "\n");                          \
    }                                                      \
  } while (0)

static std::mt19937 rng(12345);

static std::vector<float> gaussian(size_t n) {
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> v(n);
  for (auto& x : v) x = g(rng);
  return v;
}

static std::vector<float> small_ints(size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> u(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = (float)u(rng);
  return v;
}

static std::vector<int> labels_of(int b, int classes) {
  std::uniform_int_distribution<int> u(0, classes - 1);
  std::vector<int> v(b);
  for (auto& x : v) x = u(rng);
  return v;
}

// Compares element by element with tolerance abs + rel |ref|; reports the first 3 mismatches.
static void expect_close(const std::string& what, const std::vector<double>& ref,
                         const std::vector<float>& got, double abs_tol, double rel_tol) {
  int bad = 0;
  for (size_t i = 0; i < ref.size(); i++) {
    double r = ref[i];
    double g = got[i];
    bool ok = (std::isnan(r) && std::isnan(g)) || std::fabs(r - g) <= abs_tol + rel_tol * std::fabs(r);
    if (!ok && bad++ < 3) {
      std::fprintf(stderr, "  %s[%zu]: expected %.9g, got %.9g\n", what.c_str(), i, r, g);
    }
  }
  CHECK(bad == 0, "%s: %d of %zu elements differ", what.c_str(), bad, ref.size());
}

static int ceil_div(long long a, int b) { return (int)((a + b - 1) / b); }

// ---------------------------------------------------------------------------------------------

static void check_gemm() {
  int sizes[][3] = {{1, 1, 1}, {3, 5, 7}, {31, 33, 17}, {70, 65, 130}, {2, 129, 1}};
  for (auto& s : sizes) {
    int m = s[0], n = s[1], k = s[2];
    for (int ta = 0; ta < 2; ta++) {
      for (int tb = 0; tb < 2; tb++) {
        for (float beta : {0.f, 0.5f}) {
          auto a = gaussian((size_t)m * k);
          auto b = gaussian((size_t)k * n);
          std::vector<float> c(m * n, beta == 0.f ? NAN : 1.f);
          std::vector<double> ref(m * n);
          for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
              double acc = 0;
              for (int p = 0; p < k; p++) {
                double av = ta ? a[(size_t)p * m + i] : a[(size_t)i * k + p];
                double bv = tb ? b[(size_t)j * k + p] : b[(size_t)p * n + j];
                acc += av * bv;
              }
              ref[i * n + j] = 1.5 * acc + (beta == 0.f ? 0.0 : beta * 1.0);
            }
          int lda = ta ? m : k;
          int ldb = tb ? k : n;
          emu::launch({(unsigned)ceil_div(n, 64), (unsigned)ceil_div(m, 64), 1}, 256, [&] {
            gemm_tiled_64x64(ta, tb, m, n, k, 1.5f, a.data(), lda, b.data(), ldb, beta, c.data(),
                             n);
          });
          char what[96];
          std::snprintf(what, sizeof what, "gemm m=%d n=%d k=%d ta=%d tb=%d beta=%g", m, n, k, ta,
                        tb, beta);
          expect_close(what, ref, c, 1e-4, 1e-4);
        }
      }
    }
  }
}

// Pairwise distances of integer-valued rows are exact, so they must equal the reference bit
// for bit; these also feed the mining checks.
static std::vector<float> distances(const std::vector<float>& e, int b, int d) {
  std::vector<float> norms(b), dist((size_t)b * b, -1.f);
  emu::launch({(unsigned)ceil_div(b, 8), 1, 1}, 256, [&] { row_sq_norms(e.data(), b, d, norms.data()); });
  emu::launch({(unsigned)ceil_div(b, 64), (unsigned)ceil_div(b, 64), 1}, 256, [&] {
    pairwise_l2_tiled(e.data(), norms.data(), b, e.data(), norms.data(), b, d, 0, 0, dist.data(), b);
  });
  return dist;
}

static void check_distances() {
  for (int n : {1, 31, 70}) {
    for (int m : {1, 33, 65}) {
      for (int d : {1, 3, 40}) {
        auto x = gaussian((size_t)n * d);
        auto y = gaussian((size_t)m * d);
        std::vector<float> xn(n), yn(m), out((size_t)n * m), inner((size_t)n * m);
        emu::launch({(unsigned)ceil_div(n, 8), 1, 1}, 256, [&] { row_sq_norms(x.data(), n, d, xn.data()); });
        emu::launch({(unsigned)ceil_div(m, 8), 1, 1}, 256, [&] { row_sq_norms(y.data(), m, d, yn.data()); });
        dim3 grid{(unsigned)ceil_div(m, 64), (unsigned)ceil_div(n, 64), 1};
        emu::launch(grid, 256, [&] {
          pairwise_l2_tiled(x.data(), xn.data(), n, y.data(), yn.data(), m, d, 0, -1, out.data(), m);
        });
        emu::launch(grid, 256, [&] {
          pairwise_l2_tiled(x.data(), xn.data(), n, y.data(), yn.data(), m, d, 1, -1, inner.data(), m);
        });
        std::vector<double> ref((size_t)n * m), ref_inner((size_t)n * m), ref_norms(n);
        for (int i = 0; i < n; i++) {
          double s = 0;
          for (int k = 0; k < d; k++) s += (double)x[i * d + k] * x[i * d + k];
          ref_norms[i] = s;
          for (int j = 0; j < m; j++) {
            double dd = 0, dot = 0;
            for (int k = 0; k < d; k++) {
              double t = (double)x[i * d + k] - y[j * d + k];
              dd += t * t;
              dot += (double)x[i * d + k] * y[j * d + k];
            }
            ref[i * m + j] = dd;
            ref_inner[i * m + j] = -dot;
          }
        }
        std::string tag = " n=" + std::to_string(n) + " m=" + std::to_string(m) + " d=" + std::to_string(d);
        expect_close("row_sq_norms" + tag, ref_norms, xn, 1e-5, 1e-5);
        expect_close("pairwise_l2" + tag, ref, out, 1e-4, 1e-4);
        expect_close("pairwise_inner" + tag, ref_inner, inner, 1e-4, 1e-4);
      }
    }
  }
  // Self: exact zeros on the diagonal and no negative value anywhere.
  auto e = gaussian(33 * 5);
  for (int i = 0; i < 5; i++) e[32 * 5 + i] = e[7 * 5 + i];  // a duplicate row
  auto dist = distances(e, 33, 5);
  bool diag = true, nonneg = true;
  for (int i = 0; i < 33; i++) {
    diag &= dist[i * 33 + i] == 0.f && !std::signbit(dist[i * 33 + i]);
    for (int j = 0; j < 33; j++) nonneg &= dist[i * 33 + j] >= 0.f;
  }
  CHECK(diag, "self distances: diagonal not exactly +0");
  CHECK(nonneg, "self distances: a negative distance");
}

// ---------------------------------------------------------------------------------------------
// Triplet loss: brute force over every (a, p, n)

struct MinedRef {
  std::vector<double> coef;
  double loss = 0, pos = 0, neg = 0;
  long long triplets = 0, active = 0;
};

static MinedRef mine_reference(int mode, const std::vector<float>& dist, const std::vector<int>& labels,
                               int b, float margin) {
  MinedRef r;
  r.coef.assign((size_t)b * b, 0.0);
  for (int a = 0; a < b; a++) {
    std::vector<int> pos, neg;
    for (int j = 0; j < b; j++) {
      if (j == a) continue;
      (labels[j] == labels[a] ? pos : neg).push_back(j);
    }
    if (pos.empty() || neg.empty()) continue;
    auto d = [&](int j) { return dist[(size_t)a * b + j]; };
    auto use = [&](int p, int n) {
      float dp = d(p), dn = d(n);
      r.triplets++;
      r.pos += dp;
      r.neg += dn;
      if (dn < dp + margin) {
        r.active++;
        r.loss += (double)dp - dn + margin;
        r.coef[(size_t)a * b + p] += 1;
        r.coef[(size_t)a * b + n] -= 1;
      }
    };
    if (mode == 0) {
      for (int p : pos)
        for (int n : neg) use(p, n);
    } else if (mode == 1) {
      int p = pos[0], n = neg[0];
      for (int j : pos) if (d(j) > d(p)) p = j;  // in index order: ties keep the lower index
      for (int j : neg) if (d(j) < d(n)) n = j;
      use(p, n);
    } else {
      int far = neg[0];
      for (int j : neg) if (d(j) > d(far)) far = j;
      for (int p : pos) {
        int sel = -1;
        for (int j : neg)
          if (d(j) > d(p) && (sel < 0 || d(j) < d(sel))) sel = j;
        use(p, sel < 0 ? far : sel);
      }
    }
  }
  return r;
}

static void check_mined_loss() {
  const char* names[] = {"batch-all", "batch-hard", "semi-hard"};
  // 300 rows take the chunked loops over more than one block's worth of candidates.
  int sizes[][3] = {{1, 1, 1}, {2, 2, 3}, {7, 3, 3}, {33, 4, 5}, {70, 5, 8}, {300, 7, 3}};
  for (auto& s : sizes) {
    int b = s[0], classes = s[1], d = s[2];
    for (int mode = 0; mode < 3; mode++) {
      for (float margin : {0.f, 1.f}) {
        if (b == 300 && (mode == 1 || margin == 0.f)) continue;  // the emulation is slow
        if (std::getenv("EMU_VERBOSE")) std::fprintf(stderr, "case %s b=%d margin=%g\n", names[mode], b, margin);
        auto e = small_ints((size_t)b * d, -2, 2);
        auto labels = labels_of(b, classes);
        auto dist = distances(e, b, d);
        std::vector<float> coef((size_t)b * b, NAN);
        std::vector<int> selected((size_t)b * b, -7);
        std::vector<LossPartial> partials(b);
        emu::launch({(unsigned)b, 1, 1}, 256, [&] {
          if (mode == 0)
            triplet_mine_batch_all(dist.data(), labels.data(), b, margin, coef.data(), partials.data());
          else if (mode == 1)
            triplet_mine_batch_hard(dist.data(), labels.data(), b, margin, coef.data(), partials.data());
          else
            triplet_mine_semi_hard(dist.data(), labels.data(), b, margin, selected.data(), coef.data(),
                                   partials.data());
        });
        for (int reduction = 0; reduction < 3; reduction++) {
          LossResult result;
          emu::launch({1, 1, 1}, 256, [&] { triplet_loss_reduce(partials.data(), b, reduction, &result); });
          MinedRef ref = mine_reference(mode, dist, labels, b, margin);
          char tag[96];
          std::snprintf(tag, sizeof tag, "%s b=%d classes=%d d=%d margin=%g reduction=%d", names[mode], b,
                        classes, d, margin, reduction);
          CHECK(result.triplets == ref.triplets && result.active == ref.active,
                "%s: triplets %lld active %lld, expected %lld %lld", tag, result.triplets, result.active,
                ref.triplets, ref.active);
          CHECK(std::fabs(result.loss - ref.loss) <= 1e-6 * (1 + std::fabs(ref.loss)), "%s: loss %.9g expected %.9g",
                tag, result.loss, ref.loss);
          CHECK(std::fabs(result.positive - ref.pos) <= 1e-6 * (1 + ref.pos), "%s: positive sum", tag);
          CHECK(std::fabs(result.negative - ref.neg) <= 1e-6 * (1 + ref.neg), "%s: negative sum", tag);
          double w = reduction == 0 ? 1.0
                     : reduction == 1 ? (ref.triplets ? 1.0 / ref.triplets : 0.0)
                                      : (ref.active ? 1.0 / ref.active : 0.0);
          CHECK(result.weight == (float)w, "%s: weight %g expected %g", tag, result.weight, w);
          if (reduction == 0) {
            expect_close(std::string("coef ") + tag, ref.coef, coef, 0, 0);
          }
          if (reduction != 2) {
            continue;  // the backward pass depends on the reduction only through w
          }

          // Backward: S, r, G = S E (the host's product; here a plain loop), the epilogue.
          std::vector<float> sym((size_t)b * b), rows(b), grad((size_t)b * d);
          emu::launch({(unsigned)b, 1, 1}, 256, [&] { triplet_symmetrize(coef.data(), b, sym.data(), rows.data()); });
          for (int i = 0; i < b; i++)
            for (int k = 0; k < d; k++) {
              float acc = 0;
              for (int j = 0; j < b; j++) acc += sym[(size_t)i * b + j] * e[(size_t)j * d + k];
              grad[(size_t)i * d + k] = acc;
            }
          emu::launch({(unsigned)ceil_div((long long)b * d, 256), 1, 1}, 256, [&] {
            triplet_grad_epilogue(e.data(), rows.data(), &result, b, d, grad.data());
          });
          // dLoss/dE_i = w sum_j C_ij 2 (E_i - E_j) + C_ji 2 (E_i - E_j).
          std::vector<double> ref_grad((size_t)b * d, 0.0);
          if (ref.active > 0) {
            for (int i = 0; i < b; i++)
              for (int j = 0; j < b; j++) {
                double c = ref.coef[(size_t)i * b + j] + ref.coef[(size_t)j * b + i];
                for (int k = 0; k < d; k++)
                  ref_grad[(size_t)i * d + k] += 2 * w * c * ((double)e[(size_t)i * d + k] - e[(size_t)j * d + k]);
              }
          }
          expect_close(std::string("grad ") + tag, ref_grad, grad, 1e-5, 1e-5);
        }
      }
    }
  }
}

static void check_explicit_loss() {
  for (int rows : {1, 5, 40}) {
    for (int count : {1, 7, 300}) {
      int d = 3 + rows % 5;
      auto e = small_ints((size_t)rows * d, -2, 2);
      std::uniform_int_distribution<int> pick(0, rows - 1);
      std::vector<int> an(count), po(count), ne(count);
      for (int t = 0; t < count; t++) {
        an[t] = pick(rng);
        po[t] = pick(rng);
        ne[t] = pick(rng);
      }
      float margin = 1.f;
      int blocks = std::max(1, std::min(1024, ceil_div(count, 8)));
      std::vector<LossPartial> partials(blocks);
      int fault[4] = {0, 0, 0, 0};
      emu::launch({(unsigned)blocks, 1, 1}, 256, [&] {
        triplet_explicit_forward(e.data(), rows, d, an.data(), po.data(), ne.data(), count, margin, partials.data(),
                                 fault);
      });
      LossResult result;
      emu::launch({1, 1, 1}, 256, [&] { triplet_loss_reduce(partials.data(), blocks, 0, &result); });
      std::vector<float> grad((size_t)rows * d, 0.f);
      emu::launch({(unsigned)blocks, 1, 1}, 256, [&] {
        triplet_explicit_backward(e.data(), rows, d, an.data(), po.data(), ne.data(), count, margin, &result,
                                  grad.data());
      });
      double loss = 0;
      long long active = 0;
      std::vector<double> ref_grad((size_t)rows * d, 0.0);
      for (int t = 0; t < count; t++) {
        double dp = 0, dn = 0;
        for (int k = 0; k < d; k++) {
          double x = e[an[t] * d + k] - e[po[t] * d + k];
          double y = e[an[t] * d + k] - e[ne[t] * d + k];
          dp += x * x;
          dn += y * y;
        }
        if (dn < dp + margin) {
          active++;
          loss += dp - dn + margin;
          for (int k = 0; k < d; k++) {
            double a = e[an[t] * d + k], p = e[po[t] * d + k], n = e[ne[t] * d + k];
            ref_grad[an[t] * d + k] += 2 * (n - p);
            ref_grad[po[t] * d + k] += 2 * (p - a);
            ref_grad[ne[t] * d + k] += 2 * (a - n);
          }
        }
      }
      char tag[64];
      std::snprintf(tag, sizeof tag, "explicit rows=%d count=%d", rows, count);
      CHECK(fault[0] == 0, "%s: fault %d", tag, fault[0]);
      CHECK(result.triplets == count && result.active == active, "%s: triplets %lld active %lld, expected %d %lld",
            tag, result.triplets, result.active, count, active);
      CHECK(std::fabs(result.loss - loss) < 1e-6 * (1 + loss), "%s: loss %g expected %g", tag, result.loss, loss);
      expect_close(std::string("grad ") + tag, ref_grad, grad, 1e-5, 1e-6);
    }
  }
  // A bad index is reported, not followed.
  std::vector<float> e(4 * 2, 1.f);
  std::vector<int> an = {0, 1}, po = {1, 9}, ne = {2, 3};
  std::vector<LossPartial> partials(1);
  int fault[4] = {0, 0, 0, 0};
  emu::launch({1, 1, 1}, 256, [&] {
    triplet_explicit_forward(e.data(), 4, 2, an.data(), po.data(), ne.data(), 2, 0.2f, partials.data(), fault);
  });
  CHECK(fault[0] == FAULT_TRIPLET_INDEX && fault[1] == 1 && fault[2] == 9 && fault[3] == 4,
        "explicit bad index: fault {%d, %d, %d, %d}", fault[0], fault[1], fault[2], fault[3]);
}

// ---------------------------------------------------------------------------------------------
// Top-k: tiles of any width merged into running lists, against a full sort by (distance, index)

static void check_topk() {
  for (int q : {1, 3}) {
    for (int n : {1, 7, 100, 301}) {
      for (int tile : {1, 3, 64, 2048}) {
        for (int k : {1, 2, n / 2, n}) {
          if (k < 1 || k > n || (tile < 64 && n > 7 && k != n / 2)) continue;
          // Small integer distances: many ties, which must go to the lower index.
          auto dist = small_ints((size_t)q * n, 0, 4);
          if (n > 2) dist[1] = -0.f;
          std::vector<unsigned long long> a((size_t)q * k), b((size_t)q * k);
          unsigned long long* in = a.data();
          unsigned long long* out = b.data();
          int len = 0;
          int width = std::min(tile, n);
          for (int t0 = 0; t0 < n; t0 += width) {
            int cols = std::min(width, n - t0);
            int sort_size = 1;
            while (sort_size < cols) sort_size <<= 1;
            emu::launch({(unsigned)q, 1, 1}, 256, [&] {
              topk_tile_merge(dist.data() + t0, n, cols, t0, k, len, in, out, sort_size);
            });
            len = std::min(k, len + cols);
            std::swap(in, out);
          }
          std::vector<int> idx((size_t)q * k);
          std::vector<float> got((size_t)q * k);
          emu::launch({1, 1, 1}, 256, [&] { topk_write(in, q, k, idx.data(), got.data()); });
          int bad = 0;
          for (int r = 0; r < q; r++) {
            std::vector<std::pair<float, int>> all;
            for (int j = 0; j < n; j++) all.push_back({dist[(size_t)r * n + j] == 0.f ? 0.f : dist[(size_t)r * n + j], j});
            std::sort(all.begin(), all.end());
            for (int i = 0; i < k; i++)
              if (idx[(size_t)r * k + i] != all[i].second || got[(size_t)r * k + i] != all[i].first) bad++;
          }
          CHECK(bad == 0, "topk q=%d n=%d tile=%d k=%d: %d entries differ", q, n, tile, k, bad);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Layers, optimisers, reductions

static void check_layers() {
  for (int rows : {1, 33, 70}) {
    for (int cols : {1, 3, 130}) {
      size_t size = (size_t)rows * cols;
      auto z = gaussian(size);
      z[0] = NAN;
      auto bias = gaussian(cols);
      for (int relu = 0; relu < 2; relu++) {
        auto out = z;
        emu::launch({(unsigned)ceil_div((long long)size, 256), 1, 1}, 256,
                    [&] { bias_activation(out.data(), rows, cols, bias.data(), relu); });
        std::vector<double> ref(size);
        for (size_t e = 0; e < size; e++) {
          float v = z[e] + bias[e % cols];
          ref[e] = relu ? (std::isnan(v) ? v : (v > 0 ? v : 0.f)) : v;
        }
        expect_close("bias_activation relu=" + std::to_string(relu), ref, out, 0, 0);
      }

      auto grad = gaussian(size);
      auto act = gaussian(size);
      act[size - 1] = NAN;
      auto g2 = grad;
      emu::launch({(unsigned)ceil_div((long long)size, 256), 1, 1}, 256,
                  [&] { relu_backward(g2.data(), act.data(), (long long)size); });
      std::vector<double> ref(size);
      for (size_t e = 0; e < size; e++) ref[e] = act[e] > 0 ? grad[e] : 0.0;
      expect_close("relu_backward", ref, g2, 0, 0);

      std::vector<float> sums(cols);
      emu::launch({(unsigned)ceil_div(cols, 256), 1, 1}, 256, [&] { column_sums(grad.data(), rows, cols, sums.data()); });
      std::vector<double> ref_sums(cols);
      for (int j = 0; j < cols; j++) {
        float s = 0;
        for (int i = 0; i < rows; i++) s += grad[(size_t)i * cols + j];
        ref_sums[j] = s;
      }
      expect_close("column_sums (bit-exact)", ref_sums, sums, 0, 0);

      // L2 normalisation, a zero row included.
      auto x = gaussian(size);
      for (int k = 0; k < cols; k++) x[k] = 0.f;
      std::vector<float> y(size), norms(rows), gx(size);
      emu::launch({(unsigned)ceil_div(rows, 8), 1, 1}, 256, [&] { l2_normalize_rows(x.data(), rows, cols, y.data(), norms.data()); });
      auto gy = gaussian(size);
      emu::launch({(unsigned)ceil_div(rows, 8), 1, 1}, 256,
                  [&] { l2_normalize_rows_backward(y.data(), norms.data(), gy.data(), rows, cols, gx.data()); });
      std::vector<double> ry(size), rn(rows), rgx(size);
      for (int i = 0; i < rows; i++) {
        double ss = 0;
        for (int k = 0; k < cols; k++) ss += (double)x[i * cols + k] * x[i * cols + k];
        double nrm = std::max(std::sqrt(ss), 1e-12);
        rn[i] = nrm;
        double dot = 0;
        for (int k = 0; k < cols; k++) {
          ry[i * cols + k] = x[i * cols + k] / nrm;
          dot += ry[i * cols + k] * gy[i * cols + k];
        }
        for (int k = 0; k < cols; k++) rgx[i * cols + k] = (gy[i * cols + k] - ry[i * cols + k] * dot) / nrm;
      }
      std::string tag = " rows=" + std::to_string(rows) + " cols=" + std::to_string(cols);
      expect_close("l2_normalize y" + tag, ry, y, 1e-6, 1e-5);
      expect_close("l2_normalize norms" + tag, rn, norms, 1e-6, 1e-5);
      expect_close("l2_normalize backward" + tag, rgx, gx, 1e-5, 1e-4);
    }
  }

  // Gather, with one bad index: that row becomes zero and the fault names it.
  int src_rows = 9, cols = 5, count = 6;
  auto src = gaussian((size_t)src_rows * cols);
  std::vector<int> idx = {3, 0, 8, 3, 11, 1};
  std::vector<float> dst((size_t)count * cols, NAN);
  int fault[4] = {0, 0, 0, 0};
  emu::launch({1, 1, 1}, 256, [&] { gather_rows(src.data(), src_rows, cols, idx.data(), count, dst.data(), fault); });
  std::vector<double> ref((size_t)count * cols);
  for (int i = 0; i < count; i++)
    for (int c = 0; c < cols; c++) ref[i * cols + c] = idx[i] < src_rows ? src[idx[i] * cols + c] : 0.0;
  expect_close("gather_rows", ref, dst, 0, 0);
  CHECK(fault[0] == FAULT_GATHER_INDEX && fault[1] == 4 && fault[2] == 11 && fault[3] == 9,
        "gather_rows fault {%d, %d, %d, %d}", fault[0], fault[1], fault[2], fault[3]);
}

static void check_optimizers() {
  long long n = 1000;
  auto p = gaussian(n), g = gaussian(n), m = gaussian(n), v = small_ints(n, 0, 3);
  float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.01f, lr = 1e-3f;
  long step = 3;
  float bc1 = (float)(1 - std::pow(b1, step));
  float bc2 = (float)std::sqrt(1 - std::pow(b2, step));
  float step_size = lr / bc1;
  auto pp = p, mm = m, vv = v;
  emu::launch({(unsigned)ceil_div(n, 256), 1, 1}, 256,
              [&] { adam_step(pp.data(), g.data(), mm.data(), vv.data(), n, b1, b2, eps, wd, step_size, bc2); });
  std::vector<double> rp(n), rm(n), rv(n);
  for (long long i = 0; i < n; i++) {
    float w = p[i];
    float gi = g[i] + wd * w;
    float mi = b1 * m[i] + (1 - b1) * gi;
    float vi = b2 * v[i] + (1 - b2) * gi * gi;
    rm[i] = mi;
    rv[i] = vi;
    rp[i] = w - step_size * mi / (std::sqrt(vi) / bc2 + eps);
  }
  expect_close("adam params (bit-exact)", rp, pp, 0, 0);
  expect_close("adam m", rm, mm, 0, 0);
  expect_close("adam v", rv, vv, 0, 0);

  auto sp = p, su = m;
  emu::launch({(unsigned)ceil_div(n, 256), 1, 1}, 256, [&] { sgd_step(sp.data(), g.data(), su.data(), n, lr, 0.9f, wd); });
  std::vector<double> rsp(n), rsu(n);
  for (long long i = 0; i < n; i++) {
    float gi = g[i] + wd * p[i];
    float ui = 0.9f * m[i] + gi;
    rsu[i] = ui;
    rsp[i] = p[i] - lr * ui;
  }
  expect_close("sgd params (bit-exact)", rsp, sp, 0, 0);
  expect_close("sgd velocity", rsu, su, 0, 0);
}

static void check_reductions() {
  for (long long n : {1LL, 257LL, 70001LL}) {
    auto x = gaussian(n);
    for (int squares = 0; squares < 2; squares++) {
      int blocks = (int)std::max(1LL, std::min(1024LL, (n + 255) / 256));
      std::vector<double> partials(blocks);
      double out = NAN;
      emu::launch({(unsigned)blocks, 1, 1}, 256, [&] { reduce_sum_partials(x.data(), n, squares, partials.data()); });
      emu::launch({1, 1, 1}, 256, [&] { reduce_sum_final(partials.data(), blocks, &out); });
      double ref = 0;
      for (float v : x) ref += squares ? (double)v * v : v;
      CHECK(std::fabs(out - ref) <= 1e-9 * (1 + std::fabs(ref)), "reduce n=%lld squares=%d: %.12g expected %.12g", n,
            squares, out, ref);
    }
  }
}

int main(int argc, char** argv) {
  std::map<std::string, void (*)()> all = {
      {"gemm", check_gemm},         {"distances", check_distances}, {"mined", check_mined_loss},
      {"explicit", check_explicit_loss}, {"topk", check_topk},      {"layers", check_layers},
      {"optimizers", check_optimizers}, {"reductions", check_reductions}};
  for (auto& [name, fn] : all) {
    bool wanted = argc < 2;
    for (int i = 1; i < argc; i++) wanted |= name == argv[i];
    if (!wanted) continue;
    int before = failures;
    fn();
    std::printf("%-10s %s\n", name.c_str(), failures == before ? "ok" : "FAILED");
    std::fflush(stdout);
  }
  std::printf("%s: %d checks, %d failed\n", failures ? "FAIL" : "PASS", checks, failures);
  return failures ? 1 : 0;
}
