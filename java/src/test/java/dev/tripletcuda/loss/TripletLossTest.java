package dev.tripletcuda.loss;

import static dev.tripletcuda.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.testing.Random32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TripletLossTest {

  private final CpuBackend backend = new CpuBackend(1);

  @AfterEach
  void close() {
    backend.close();
  }

  @ParameterizedTest
  @EnumSource(Reduction.class)
  void explicitLossMatchesHandComputation(Reduction reduction) {
    // Rows: 0 = (0,0), 1 = (1,0), 2 = (0,2), 3 = (3,0).
    float[] e = {0, 0, 1, 0, 0, 2, 3, 0};
    // d(0,1)=1, d(0,2)=4, d(0,3)=9, d(1,2)=5.
    int[] a = {0, 0, 1};
    int[] p = {1, 2, 0};
    int[] n = {2, 1, 2};
    // Losses with margin 1: max(0, 1-4+1)=0, max(0, 4-1+1)=4, max(0, 1-5+1)=0.
    try (Tensor emb = backend.allocate(4, 2); Tensor grad = backend.allocate(4, 2)) {
      backend.upload(e, 0, emb);
      LossStats s = TripletLoss.explicit(backend, emb, a, p, n, 1f, reduction, grad);
      double w = reduction.weight(3, 1);
      assertEquals(3, s.triplets());
      assertEquals(1, s.active());
      assertClose(4 * w, s.loss(), 1e-6, 0, "loss");
      assertClose(2.0, s.meanPositive(), 1e-6, 0, "mean d(a,p)");
      assertClose(10.0 / 3, s.meanNegative(), 1e-6, 0, "mean d(a,n)");
      // Only triplet (0, 2, 1) is active: grad_a = 2(n - p), grad_p = 2(p - a), grad_n = 2(a - n).
      float[] g = new float[8];
      backend.download(grad, g, 0);
      float k = (float) (2 * w);
      float[] want = {k * (1 - 0), k * (0 - 2), k * (0 - 1), k * (0 - 0), k * (0 - 0),
          k * (2 - 0), 0, 0};
      assertClose(want, g, 1e-6, 1e-6, "grad");
    }
  }

  @Test
  void explicitGradientMatchesFiniteDifferences() {
    int rows = 6;
    int d = 3;
    float[] e = Random32.gaussian(3, rows * d);
    int[] a = {0, 1, 2, 3, 0};
    int[] p = {1, 0, 3, 2, 4};
    int[] n = {2, 5, 4, 5, 5};
    float margin = 3f;
    try (Tensor emb = backend.allocate(rows, d); Tensor grad = backend.allocate(rows, d)) {
      backend.upload(e, 0, emb);
      TripletLoss.explicit(backend, emb, a, p, n, margin, Reduction.SUM, grad);
      float[] g = new float[rows * d];
      backend.download(grad, g, 0);
      float h = 1e-2f;
      for (int i = 0; i < rows * d; i++) {
        float[] plus = e.clone();
        float[] minus = e.clone();
        plus[i] += h;
        minus[i] -= h;
        backend.upload(plus, 0, emb);
        double lp = TripletLoss.explicit(backend, emb, a, p, n, margin, Reduction.SUM, null)
            .loss();
        backend.upload(minus, 0, emb);
        double lm = TripletLoss.explicit(backend, emb, a, p, n, margin, Reduction.SUM, null)
            .loss();
        assertClose((lp - lm) / (2 * h), g[i], 2e-3, 2e-2, "d loss / d e[" + i + "]");
      }
    }
  }

  @Test
  void explicitTripletsOutOfRangeOrWithAnchorEqualToPositiveAreRejected() {
    try (Tensor emb = backend.allocate(3, 2)) {
      IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
          () -> TripletLoss.explicit(backend, emb, new int[] {0}, new int[] {1}, new int[] {3},
              0.2f, Reduction.SUM, null));
      assertTrue(range.getMessage().contains("negatives[0]=3, expected 0..2"),
          range.getMessage());
      IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
          () -> TripletLoss.explicit(backend, emb, new int[] {0, 1}, new int[] {1, 1},
              new int[] {2, 2}, 0.2f, Reduction.SUM, null));
      assertTrue(same.getMessage().contains("triplet 1: anchor == positive == 1"),
          same.getMessage());
      IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
          () -> TripletLoss.explicit(backend, emb, new int[] {0, 1}, new int[] {1},
              new int[] {2, 2}, 0.2f, Reduction.SUM, null));
      assertTrue(lengths.getMessage().contains("expected equal lengths"), lengths.getMessage());
      IllegalArgumentException margin = assertThrows(IllegalArgumentException.class,
          () -> TripletLoss.explicit(backend, emb, new int[] {0}, new int[] {1},
              new int[] {2}, -1f, Reduction.SUM, null));
      assertTrue(margin.getMessage().contains("margin=-1.0"), margin.getMessage());
    }
  }

  @Test
  void emptyExplicitListGivesZeroLoss() {
    try (Tensor emb = backend.allocate(3, 2); Tensor grad = backend.allocate(3, 2)) {
      backend.fill(grad, 1f);
      LossStats s = TripletLoss.explicit(backend, emb, new int[0], new int[0], new int[0],
          0.2f, Reduction.MEAN, grad);
      assertEquals(LossStats.EMPTY, s);
      assertEquals(0.0, backend.sumOfSquares(grad));
    }
  }

  @Test
  void namesParseAndRejectUnknownValues() {
    assertEquals(Mining.SEMI_HARD, Mining.parse("semi-hard"));
    assertEquals(Mining.BATCH_HARD, Mining.parse("BATCH_HARD"));
    assertEquals(Reduction.MEAN_ACTIVE, Reduction.parse("mean-active"));
    IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
        () -> Mining.parse("hardest"));
    assertTrue(m.getMessage().contains("batch-all, batch-hard, semi-hard"), m.getMessage());
    IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
        () -> Reduction.parse("avg"));
    assertTrue(r.getMessage().contains("sum, mean, mean-active"), r.getMessage());
  }
}
