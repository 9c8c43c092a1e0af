package dev.tripletcuda.backend.cpu;

import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;

/**
 * Plain reference implementations the optimised CPU routines (and through them the CUDA
 * kernels) are tested against: triple loops, direct differences, every triplet visited.
 */
public final class Reference {

  private Reference() {}

  /** C (m, n) = alpha op(A) op(B) + beta C, in double. */
  public static float[] gemm(boolean ta, boolean tb, int m, int n, int k, float alpha,
      float[] a, float[] b, float beta, float[] c) {
    float[] out = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double x = ta ? a[p * m + i] : a[i * k + p];
          double y = tb ? b[j * k + p] : b[p * n + j];
          s += x * y;
        }
        out[i * n + j] = (float) (alpha * s + (beta == 0 ? 0 : beta * c[i * n + j]));
      }
    }
    return out;
  }

  /** Squared distances by direct differences, in double. */
  public static float[] pairwise(float[] x, int n, float[] y, int m, int d) {
    float[] out = new float[n * m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int k = 0; k < d; k++) {
          double t = x[i * d + k] - y[j * d + k];
          s += t * t;
        }
        out[i * m + j] = (float) s;
      }
    }
    return out;
  }

  /** The result of a reference loss evaluation. */
  public record Loss(LossStats stats, float[] grad) {}

  /**
   * The mined triplet loss by enumeration: every (a, p, n) is visited and the mining rule is
   * applied literally; distances by direct differences; gradient per triplet.
   */
  public static Loss tripletLoss(float[] e, int b, int d, int[] labels, TripletLossSpec spec) {
    return tripletLoss(e, b, d, labels, spec, pairwise(e, b, e, b, d));
  }

  /**
   * As above with the distance matrix (b, b) given, so that mining decisions can be compared
   * with an implementation on exactly the same distances.
   */
  public static Loss tripletLoss(float[] e, int b, int d, int[] labels, TripletLossSpec spec,
      float[] dist) {
    java.util.List<int[]> triplets = minedTriplets(b, labels, spec, dist);
    return explicit(e, b, d, triplets, dist, spec.margin(), spec.reduction());
  }

  /** The (a, p, n) triplets a mining mode takes from a batch with distances (b, b). */
  public static java.util.List<int[]> minedTriplets(int b, int[] labels, TripletLossSpec spec,
      float[] dist) {
    java.util.List<int[]> triplets = new java.util.ArrayList<>();
    for (int a = 0; a < b; a++) {
      Mining mining = spec.mining();
      if (mining == Mining.BATCH_ALL) {
        for (int p = 0; p < b; p++) {
          for (int n = 0; n < b; n++) {
            if (p != a && labels[p] == labels[a] && labels[n] != labels[a]) {
              triplets.add(new int[] {a, p, n});
            }
          }
        }
      } else if (mining == Mining.BATCH_HARD) {
        int hp = -1;
        int hn = -1;
        for (int j = 0; j < b; j++) {
          if (j != a && labels[j] == labels[a] && (hp < 0 || dist[a * b + j] > dist[a * b + hp])) {
            hp = j;
          }
          if (labels[j] != labels[a] && (hn < 0 || dist[a * b + j] < dist[a * b + hn])) {
            hn = j;
          }
        }
        if (hp >= 0 && hn >= 0) {
          triplets.add(new int[] {a, hp, hn});
        }
      } else {
        for (int p = 0; p < b; p++) {
          if (p == a || labels[p] != labels[a]) {
            continue;
          }
          float dp = dist[a * b + p];
          int semi = -1;
          int far = -1;
          for (int n = 0; n < b; n++) {
            if (labels[n] == labels[a]) {
              continue;
            }
            float dn = dist[a * b + n];
            if (dn > dp && (semi < 0 || dn < dist[a * b + semi])) {
              semi = n;
            }
            if (far < 0 || dn > dist[a * b + far]) {
              far = n;
            }
          }
          if (far >= 0) {
            triplets.add(new int[] {a, p, semi >= 0 ? semi : far});
          }
        }
      }
    }
    return triplets;
  }

  /** The loss over fixed triplets, distances by direct differences in double. */
  public static Loss explicit(float[] e, int b, int d, java.util.List<int[]> triplets,
      TripletLossSpec spec) {
    return explicit(e, b, d, triplets, pairwise(e, b, e, b, d), spec.margin(),
        spec.reduction());
  }

  /** The loss over given triplets with a precomputed distance matrix (b, b). */
  static Loss explicit(float[] e, int b, int d, java.util.List<int[]> triplets, float[] dist,
      float margin, Reduction reduction) {
    double loss = 0;
    double pos = 0;
    double neg = 0;
    long active = 0;
    for (int[] t : triplets) {
      float dp = dist[t[0] * b + t[1]];
      float dn = dist[t[0] * b + t[2]];
      pos += dp;
      neg += dn;
      if (dn < dp + margin) {
        active++;
        loss += (double) dp - dn + margin;
      }
    }
    double w = reduction.weight(triplets.size(), active);
    double[] g = new double[b * d];
    for (int[] t : triplets) {
      float dp = dist[t[0] * b + t[1]];
      float dn = dist[t[0] * b + t[2]];
      if (!(dn < dp + margin)) {
        continue;
      }
      for (int k = 0; k < d; k++) {
        double a = e[t[0] * d + k];
        double p = e[t[1] * d + k];
        double n = e[t[2] * d + k];
        g[t[0] * d + k] += 2 * w * (n - p);
        g[t[1] * d + k] += 2 * w * (p - a);
        g[t[2] * d + k] += 2 * w * (a - n);
      }
    }
    float[] grad = new float[b * d];
    for (int i = 0; i < grad.length; i++) {
      grad[i] = (float) g[i];
    }
    int count = triplets.size();
    LossStats stats = count == 0 ? LossStats.EMPTY
        : new LossStats(loss * w, count, active, pos / count, neg / count);
    return new Loss(stats, grad);
  }
}
