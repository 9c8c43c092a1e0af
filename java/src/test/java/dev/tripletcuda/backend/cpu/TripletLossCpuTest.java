package dev.tripletcuda.backend.cpu;

import static dev.tripletcuda.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import dev.tripletcuda.testing.Random32;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class TripletLossCpuTest {

  private final CpuBackend backend = new CpuBackend(2);

  @AfterEach
  void close() {
    backend.close();
  }

  /** Label layouts: P x K blocks, random labels with singletons, and two classes. */
  static int[] labels(String layout, int b) {
    int[] l = new int[b];
    switch (layout) {
      case "pk":
        for (int i = 0; i < b; i++) {
          l[i] = i / 4;
        }
        return l;
      case "random":
        return Random32.labels(b, b, Math.max(2, b / 3));
      case "two":
        for (int i = 0; i < b; i++) {
          l[i] = i % 2;
        }
        return l;
      default:
        throw new AssertionError(layout);
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Mining m : Mining.values()) {
      for (Reduction r : Reduction.values()) {
        for (int b : new int[] {2, 3, 17, 33, 96}) {
          for (String layout : new String[] {"pk", "random", "two"}) {
            for (int d : new int[] {1, 3, 16}) {
              out.add(Arguments.of(m, r, b, d, layout));
            }
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} B={2} D={3} labels={4}")
  @MethodSource("cases")
  void minedLossMatchesEnumerationOfEveryTriplet(Mining mining, Reduction reduction, int b,
      int d, String layout) {
    float[] e = Random32.gaussian(31L * b + d, b * d);
    int[] l = labels(layout, b);
    TripletLossSpec spec = new TripletLossSpec(mining, 0.5f, reduction);
    try (Tensor emb = backend.allocate(b, d);
        Tensor dist = backend.allocate(b, b);
        Tensor grad = backend.allocate(b, d);
        IntTensor labels = backend.allocateInts(b);
        TripletLossWorkspace ws = backend.allocateTripletLossWorkspace(b)) {
      backend.upload(e, 0, emb);
      backend.upload(l, 0, labels);
      backend.pairwiseSquaredL2(emb, emb, dist);
      float[] distHost = new float[b * b];
      backend.download(dist, distHost, 0);

      LossStats got = backend.tripletLoss(emb, labels, spec, grad, ws);
      Reference.Loss want = Reference.tripletLoss(e, b, d, l, spec, distHost);
      String ctx = String.format("%s %s B=%d D=%d %s", mining, reduction, b, d, layout);
      assertEquals(want.stats().triplets(), got.triplets(), ctx + " triplets");
      assertEquals(want.stats().active(), got.active(), ctx + " active");
      assertClose(want.stats().loss(), got.loss(), 1e-4, 1e-4, ctx + " loss");
      assertClose(want.stats().meanPositive(), got.meanPositive(), 1e-4, 1e-4, ctx + " d(a,p)");
      assertClose(want.stats().meanNegative(), got.meanNegative(), 1e-4, 1e-4, ctx + " d(a,n)");
      float[] g = new float[b * d];
      backend.download(grad, g, 0);
      // The coefficient form sums large terms that cancel: tolerance scales with the largest.
      assertClose(want.grad(), g, 1e-5 + 1e-4 * maxAbs(want.grad()), 1e-3, ctx + " grad");
    }
  }

  static double maxAbs(float[] v) {
    double m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  @ParameterizedTest
  @EnumSource(Mining.class)
  void degenerateBatchesGiveZeroLossAndZeroGradient(Mining mining) {
    int d = 4;
    for (int[] l : new int[][] {{0}, {0, 0, 0}, {0, 1, 2, 3}, {5, 5, 5, 5, 5}}) {
      int b = l.length;
      try (Tensor emb = backend.allocate(b, d);
          Tensor grad = backend.allocate(b, d);
          IntTensor labels = backend.allocateInts(b);
          TripletLossWorkspace ws = backend.allocateTripletLossWorkspace(b)) {
        backend.upload(Random32.gaussian(b, b * d), 0, emb);
        backend.fill(grad, Float.NaN);
        backend.upload(l, 0, labels);
        for (Reduction r : Reduction.values()) {
          LossStats s = backend.tripletLoss(emb, labels, new TripletLossSpec(mining, 0.2f, r),
              grad, ws);
          assertEquals(0.0, s.loss(), "loss of " + java.util.Arrays.toString(l));
          assertEquals(0, s.triplets());
          assertEquals(0.0, backend.sumOfSquares(grad), "grad of " + java.util.Arrays.toString(l));
        }
      }
    }
  }

  @Test
  void identicalEmbeddingsAreAllActiveWithLossEqualToMargin() {
    int b = 8;
    int d = 3;
    try (Tensor emb = backend.allocate(b, d);
        Tensor grad = backend.allocate(b, d);
        IntTensor labels = backend.allocateInts(b);
        TripletLossWorkspace ws = backend.allocateTripletLossWorkspace(b)) {
      backend.fill(emb, 0.5f);
      backend.upload(labels("pk", b), 0, labels);
      LossStats s = backend.tripletLoss(emb, labels,
          new TripletLossSpec(Mining.BATCH_ALL, 0.2f, Reduction.MEAN), grad, ws);
      assertEquals(s.triplets(), s.active());
      assertClose(0.2, s.loss(), 1e-6, 0, "collapsed loss");
      assertEquals(0.0, s.meanPositive());
      assertEquals(0.0, s.meanNegative());
    }
  }

  @Test
  void batchHardPicksFarthestPositiveAndNearestNegativeWithLowerIndexOnTies() {
    // 1-D embeddings: anchor 0 at 0; positives 1 and 2 both at distance 2 (tie);
    // negatives 3 and 4 both at distance 1 (tie).
    float[] e = {0f, 2f, -2f, 1f, -1f};
    int[] l = {0, 0, 0, 1, 1};
    try (Tensor emb = backend.allocate(5, 1);
        Tensor grad = backend.allocate(5, 1);
        IntTensor labels = backend.allocateInts(5);
        TripletLossWorkspace ws = backend.allocateTripletLossWorkspace(5)) {
      backend.upload(e, 0, emb);
      backend.upload(l, 0, labels);
      backend.tripletLoss(emb, labels, new TripletLossSpec(Mining.BATCH_HARD, 0.1f,
          Reduction.SUM), grad, ws);
      float[] c = ((CpuLossWorkspace) ws).coef;
      // Row of anchor 0: +1 at positive 1 (not 2), -1 at negative 3 (not 4).
      assertEquals(1f, c[1]);
      assertEquals(0f, c[2]);
      assertEquals(-1f, c[3]);
      assertEquals(0f, c[4]);
    }
  }

  @Test
  void semiHardFallsBackToFarthestNegativeWhenNoneIsFartherThanThePositive() {
    // Anchor 0 at 0, positive 1 at 3 (d = 9); negatives at 1 and 2 (d = 1, 4): none farther,
    // so the farthest (index 3, d = 4) is used.
    float[] e = {0f, 3f, 1f, 2f};
    int[] l = {0, 0, 1, 1};
    try (Tensor emb = backend.allocate(4, 1);
        IntTensor labels = backend.allocateInts(4);
        TripletLossWorkspace ws = backend.allocateTripletLossWorkspace(4)) {
      backend.upload(e, 0, emb);
      backend.upload(l, 0, labels);
      LossStats s = backend.tripletLoss(emb, labels, new TripletLossSpec(Mining.SEMI_HARD,
          0.5f, Reduction.SUM), null, ws);
      float[] c = ((CpuLossWorkspace) ws).coef;
      assertEquals(-1f, c[3], "farthest negative chosen for anchor 0");
      assertEquals(0f, c[2]);
      assertTrue(s.loss() > 0);
    }
  }

  @Test
  void batchAllAtLargeUnbalancedBatchMatchesEnumeration() {
    int b = 300;
    int d = 8;
    int[] l = new int[b];
    for (int i = 0; i < b; i++) {
      l[i] = i < 200 ? 0 : 1 + i % 7;
    }
    float[] e = Random32.gaussian(77, b * d);
    TripletLossSpec spec = new TripletLossSpec(Mining.BATCH_ALL, 1f, Reduction.MEAN_ACTIVE);
    try (Tensor emb = backend.allocate(b, d);
        Tensor dist = backend.allocate(b, b);
        Tensor grad = backend.allocate(b, d);
        IntTensor labels = backend.allocateInts(b);
        TripletLossWorkspace ws = backend.allocateTripletLossWorkspace(b)) {
      backend.upload(e, 0, emb);
      backend.upload(l, 0, labels);
      backend.pairwiseSquaredL2(emb, emb, dist);
      float[] dh = new float[b * b];
      backend.download(dist, dh, 0);
      LossStats got = backend.tripletLoss(emb, labels, spec, grad, ws);
      Reference.Loss want = Reference.tripletLoss(e, b, d, l, spec, dh);
      assertEquals(want.stats().active(), got.active());
      assertClose(want.stats().loss(), got.loss(), 1e-5, 1e-5, "loss");
      float[] g = new float[b * d];
      backend.download(grad, g, 0);
      assertClose(want.grad(), g, 1e-5, 1e-3, "grad");
    }
  }

  @Test
  void workspaceTooSmallIsRejected() {
    try (Tensor emb = backend.allocate(5, 2);
        IntTensor labels = backend.allocateInts(5);
        TripletLossWorkspace ws = backend.allocateTripletLossWorkspace(4)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> backend.tripletLoss(emb, labels, TripletLossSpec.DEFAULT, null, ws));
      assertTrue(e.getMessage().contains("capacity 4"), e.getMessage());
    }
  }

  @Test
  void labelsOfWrongLengthAreRejected() {
    try (Tensor emb = backend.allocate(5, 2);
        IntTensor labels = backend.allocateInts(4);
        TripletLossWorkspace ws = backend.allocateTripletLossWorkspace(5)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> backend.tripletLoss(emb, labels, TripletLossSpec.DEFAULT, null, ws));
      assertTrue(e.getMessage().contains("labels has 4 elements, expected 5"), e.getMessage());
    }
  }
}
