package dev.tripletcuda.backend.cpu;

import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import java.util.Arrays;

/**
 * The triplet loss on the CPU without ever forming the (B, B, B) tensor.
 *
 * <p>Forward: the (B, B) squared distances D, then per anchor a the mining mode writes row a of
 * a coefficient matrix C with C[a][j] = dLoss/dD[a][j] before the reduction weight (+1 per active
 * triplet using j as positive, -1 per active triplet using j as negative). Batch-all counts the
 * active triplets through sorted thresholds instead of visiting them: O(B^2 log B) time and
 * O(B^2) memory for any class balance.
 *
 * <p>Backward, shared by all modes: with S = C + C^T and r the row sums of S,
 * dLoss/dE = 2 w (diag(r) E - S E), one (B, B) x (B, D) product, where w is the reduction weight.
 *
 * <p>Ties are broken towards the lower index everywhere, matching the CUDA kernels.
 */
final class TripletLossCpu {

  private final CpuBackend backend;
  private final WorkerPool pool;

  TripletLossCpu(CpuBackend backend, WorkerPool pool) {
    this.backend = backend;
    this.pool = pool;
  }

  LossStats mined(CpuTensor emb, CpuIntTensor labels, TripletLossSpec spec, CpuTensor grad,
      CpuLossWorkspace ws) {
    int b = emb.rows();
    CpuTensor dist = (CpuTensor) ws.dist.view(0, b, b);
    backend.pairwiseSquaredL2(emb, emb, dist);
    Arrays.fill(ws.coef, 0, b * b, 0f);

    // Anchors in contiguous ranges, one range per part: each anchor writes only its own row of
    // C and its own partial sums.
    int parts = Math.min(ws.posIdx.length, Math.max(1, (int) ((long) b * b / 16384)));
    int perPart = GemmBlocked.ceilDiv(b, parts);
    pool.run(parts, part -> {
      int end = Math.min(b, (part + 1) * perPart);
      for (int a = part * perPart; a < end; a++) {
        mineAnchor(a, b, dist.data, dist.offset, labels.data, labels.offset, spec, ws, part);
      }
    });

    double loss = 0;
    double pos = 0;
    double neg = 0;
    long triplets = 0;
    long active = 0;
    for (int a = 0; a < b; a++) {
      loss += ws.lossPart[a];
      pos += ws.posPart[a];
      neg += ws.negPart[a];
      triplets += ws.tripletPart[a];
      active += ws.activePart[a];
    }
    Reduction reduction = spec.reduction();
    double w = reduction.weight(triplets, active);
    if (grad != null) {
      backward(emb, grad, ws, b, (float) w, active);
    }
    if (triplets == 0) {
      return LossStats.EMPTY;
    }
    return new LossStats(loss * w, triplets, active, pos / triplets, neg / triplets);
  }

  /** grad = 2 w (diag(r) E - S E) with S = C + C^T, r = rowsum(S). */
  private void backward(CpuTensor emb, CpuTensor grad, CpuLossWorkspace ws, int b, float w,
      long active) {
    if (active == 0 || w == 0f) {
      backend.fill(grad, 0f);
      return;
    }
    float[] s = ws.dist.data;
    float[] c = ws.coef;
    float[] r = ws.norms;
    for (int i = 0; i < b; i++) {
      float sum = 0f;
      for (int j = 0; j < b; j++) {
        float v = c[i * b + j] + c[j * b + i];
        s[i * b + j] = v;
        sum += v;
      }
      r[i] = sum;
    }
    CpuTensor sym = (CpuTensor) ws.dist.view(0, b, b);
    backend.gemm(false, false, -2f * w, sym, emb, 0f, grad);
    int d = emb.cols();
    for (int i = 0; i < b; i++) {
      float scale = 2f * w * r[i];
      if (scale == 0f) {
        continue;
      }
      int e = emb.offset + i * d;
      int g = grad.offset + i * d;
      for (int k = 0; k < d; k++) {
        grad.data[g + k] += scale * emb.data[e + k];
      }
    }
  }

  private static void mineAnchor(int a, int b, float[] dist, int distOff, int[] labels,
      int labelOff, TripletLossSpec spec, CpuLossWorkspace ws, int part) {
    int[] posIdx = ws.posIdx[part];
    float[] posDist = ws.posDist[part];
    int[] negIdx = ws.negIdx[part];
    float[] negDist = ws.negDist[part];
    int row = distOff + a * b;
    int label = labels[labelOff + a];

    // Gather positives and negatives, each in index order.
    int np = 0;
    int nn = 0;
    for (int j = 0; j < b; j++) {
      if (j == a) {
        continue;
      }
      float d = dist[row + j];
      if (labels[labelOff + j] == label) {
        posIdx[np] = j;
        posDist[np++] = d;
      } else {
        negIdx[nn] = j;
        negDist[nn++] = d;
      }
    }
    ws.lossPart[a] = 0;
    ws.tripletPart[a] = 0;
    ws.activePart[a] = 0;
    ws.posPart[a] = 0;
    ws.negPart[a] = 0;
    if (np == 0 || nn == 0) {
      return;
    }

    switch (spec.mining()) {
      case BATCH_HARD:
        batchHard(a, b, np, nn, spec.margin(), ws, part);
        break;
      case SEMI_HARD:
        semiHard(a, b, np, nn, spec.margin(), ws, part);
        break;
      case BATCH_ALL:
      default:
        batchAll(a, b, np, nn, spec.margin(), ws, part);
        break;
    }
  }

  /** The farthest positive against the nearest negative, ties to the lower index. */
  private static void batchHard(int a, int b, int np, int nn, float margin,
      CpuLossWorkspace ws, int part) {
    float[] posDist = ws.posDist[part];
    float[] negDist = ws.negDist[part];
    int p = 0;
    for (int i = 1; i < np; i++) {
      if (posDist[i] > posDist[p]) {
        p = i;
      }
    }
    int n = 0;
    for (int i = 1; i < nn; i++) {
      if (negDist[i] < negDist[n]) {
        n = i;
      }
    }
    float dp = posDist[p];
    float dn = negDist[n];
    ws.tripletPart[a] = 1;
    ws.posPart[a] = dp;
    ws.negPart[a] = dn;
    if (dn < dp + margin) {
      ws.activePart[a] = 1;
      ws.lossPart[a] = (double) dp - dn + margin;
      ws.coef[a * b + ws.posIdx[part][p]] += 1f;
      ws.coef[a * b + ws.negIdx[part][n]] -= 1f;
    }
  }

  /**
   * Per positive, the nearest negative farther than it; where none is, the farthest negative.
   * The negatives are sorted once by (distance, index).
   */
  private static void semiHard(int a, int b, int np, int nn, float margin,
      CpuLossWorkspace ws, int part) {
    float[] posDist = ws.posDist[part];
    long[] keys = ws.keys[part];
    float[] sorted = ws.sorted[part];
    for (int i = 0; i < nn; i++) {
      keys[i] = key(ws.negDist[part][i], ws.negIdx[part][i]);
    }
    java.util.Arrays.sort(keys, 0, nn);
    for (int i = 0; i < nn; i++) {
      sorted[i] = keyDist(keys[i]);
    }
    int farthest = lowerBound(sorted, nn, sorted[nn - 1]);
    int crow = a * b;
    long active = 0;
    double loss = 0;
    double pos = 0;
    double neg = 0;
    for (int i = 0; i < np; i++) {
      float dp = posDist[i];
      int k = upperBound(sorted, nn, dp);
      int sel = k < nn ? k : farthest;
      float dn = sorted[sel];
      pos += dp;
      neg += dn;
      if (dn < dp + margin) {
        active++;
        loss += (double) dp - dn + margin;
        ws.coef[crow + ws.posIdx[part][i]] += 1f;
        ws.coef[crow + keyIndex(keys[sel])] -= 1f;
      }
    }
    ws.tripletPart[a] = np;
    ws.activePart[a] = active;
    ws.lossPart[a] = loss;
    ws.posPart[a] = pos;
    ws.negPart[a] = neg;
  }

  /**
   * Every (p, n) pair, counted without visiting each: the thresholds t_p = d(a,p) + margin are
   * sorted; a negative is active with exactly the positives whose threshold exceeds its
   * distance, a suffix of that order found by binary search. Histograms of those suffix starts,
   * summed in threshold order, give each positive's count and loss. O(nn log np + np log np).
   */
  private static void batchAll(int a, int b, int np, int nn, float margin,
      CpuLossWorkspace ws, int part) {
    float[] posDist = ws.posDist[part];
    float[] negDist = ws.negDist[part];
    long[] keys = ws.keys[part];
    float[] thresholds = ws.sorted[part];
    int[] hist = ws.hist[part];
    double[] histSum = ws.histSum[part];
    for (int i = 0; i < np; i++) {
      keys[i] = key(posDist[i] + margin, i);
    }
    java.util.Arrays.sort(keys, 0, np);
    for (int i = 0; i < np; i++) {
      thresholds[i] = keyDist(keys[i]);
    }
    java.util.Arrays.fill(hist, 0, np + 1, 0);
    java.util.Arrays.fill(histSum, 0, np + 1, 0.0);

    // Negative j is active with the positives at sorted positions [u, np).
    int crow = a * b;
    double negTotal = 0;
    for (int j = 0; j < nn; j++) {
      float dn = negDist[j];
      int u = upperBound(thresholds, np, dn);
      ws.coef[crow + ws.negIdx[part][j]] -= np - u;
      hist[u]++;
      histSum[u] += dn;
      negTotal += dn;
    }

    long active = 0;
    double loss = 0;
    double posTotal = 0;
    int count = 0;
    double sum = 0;
    for (int i = 0; i < np; i++) {
      count += hist[i];
      sum += histSum[i];
      int p = keyIndex(keys[i]);
      float dp = posDist[p];
      ws.coef[crow + ws.posIdx[part][p]] += count;
      active += count;
      loss += count * ((double) dp + margin) - sum;
      posTotal += dp;
    }
    ws.tripletPart[a] = (long) np * nn;
    ws.activePart[a] = active;
    ws.lossPart[a] = loss;
    ws.posPart[a] = posTotal * nn;
    ws.negPart[a] = negTotal * np;
  }

  /**
   * The loss over explicit triplets, distances taken directly from the rows; the gradient is
   * scattered in triplet order.
   */
  static LossStats explicit(CpuTensor emb, int[] anchors, int[] positives, int[] negatives,
      int tripletOff, int count, float margin, Reduction reduction, CpuTensor grad) {
    int d = emb.cols();
    float[] e = emb.data;
    int base = emb.offset;
    double loss = 0;
    double pos = 0;
    double neg = 0;
    long active = 0;
    for (int t = 0; t < count; t++) {
      int a = base + anchors[tripletOff + t] * d;
      int p = base + positives[tripletOff + t] * d;
      int n = base + negatives[tripletOff + t] * d;
      float dp = 0f;
      float dn = 0f;
      for (int k = 0; k < d; k++) {
        float x = e[a + k] - e[p + k];
        float y = e[a + k] - e[n + k];
        dp += x * x;
        dn += y * y;
      }
      pos += dp;
      neg += dn;
      if (dn < dp + margin) {
        active++;
        loss += (double) dp - dn + margin;
      }
    }
    double w = reduction.weight(count, active);
    if (grad != null) {
      Arrays.fill(grad.data, grad.offset, grad.offset + (int) grad.size(), 0f);
      float s = (float) (2 * w);
      for (int t = 0; t < count && s != 0f; t++) {
        int ai = anchors[tripletOff + t];
        int pi = positives[tripletOff + t];
        int ni = negatives[tripletOff + t];
        int a = base + ai * d;
        int p = base + pi * d;
        int n = base + ni * d;
        float dp = 0f;
        float dn = 0f;
        for (int k = 0; k < d; k++) {
          float x = e[a + k] - e[p + k];
          float y = e[a + k] - e[n + k];
          dp += x * x;
          dn += y * y;
        }
        if (!(dn < dp + margin)) {
          continue;
        }
        int ga = grad.offset + ai * d;
        int gp = grad.offset + pi * d;
        int gn = grad.offset + ni * d;
        for (int k = 0; k < d; k++) {
          float ak = e[a + k];
          float pk = e[p + k];
          float nk = e[n + k];
          grad.data[ga + k] += s * (nk - pk);
          grad.data[gp + k] += s * (pk - ak);
          grad.data[gn + k] += s * (ak - nk);
        }
      }
    }
    if (count == 0) {
      return LossStats.EMPTY;
    }
    return new LossStats(loss * w, count, active, pos / count, neg / count);
  }

  /** Sort key ordering by distance, then index; distances are &gt;= +0 so the bits order. */
  static long key(float d, int index) {
    return ((long) Float.floatToRawIntBits(d) << 32) | index;
  }

  static float keyDist(long key) {
    return Float.intBitsToFloat((int) (key >>> 32));
  }

  static int keyIndex(long key) {
    return (int) key;
  }

  /** Number of values[0..n) strictly below x; values ascending. */
  static int lowerBound(float[] values, int n, float x) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (values[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Number of values[0..n) at or below x; values ascending. */
  static int upperBound(float[] values, int n, float x) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (values[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
