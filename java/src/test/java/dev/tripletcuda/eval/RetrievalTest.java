package dev.tripletcuda.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.knn.KnnIndex;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RetrievalTest {

  private static CpuBackend backend;

  @BeforeAll
  static void open() {
    backend = new CpuBackend(2);
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  /** Rows at 0, 1, 2, 3, 10 with labels a b a b a. */
  private static KnnIndex lineIndex() {
    return KnnIndex.builder(new float[] {0, 1, 2, 3, 10}, 1)
        .labels(new int[] {0, 1, 0, 1, 0}, List.of("a", "b", "c")).build(backend);
  }

  @Test
  void mapAtRAveragesPrecisionOverTheFirstRRanks() {
    try (KnnIndex index = lineIndex()) {
      // Query 0.1 (a, R = 3): ranks a b a -> AP = (1 + 2/3) / 3 = 5/9.
      // Query 2.9 (b, R = 2): ranks b a -> AP = 1 / 2.
      // Query 5 (c): no relevant row; left out of MAP@R, a miss for the others.
      Retrieval.Scores s = Retrieval.evaluate(index, new float[] {0.1f, 2.9f, 5}, new int[] {0,
          1, 2}, 1);
      assertEquals((5.0 / 9 + 0.5) / 2, s.mapAtR(), 1e-12);
      assertEquals(2.0 / 3, s.precisionAt1(), 1e-12);
      assertEquals(2.0 / 3, s.recallAtK(), 1e-12);
      assertEquals(3, s.queries());
      assertEquals(2, s.queriesWithRelevant());
    }
  }

  @Test
  void recallAtKFindsARelevantRowAnywhereInTheFirstK() {
    try (KnnIndex index = lineIndex()) {
      // Query 0.9 labelled a: nearest is row 1 (b), then row 0 (a).
      float[] q = {0.9f};
      int[] l = {0};
      assertEquals(0, Retrieval.evaluate(index, q, l, 1).recallAtK());
      assertEquals(1, Retrieval.evaluate(index, q, l, 2).recallAtK());
      assertEquals(0, Retrieval.evaluate(index, q, l, 2).precisionAt1());
      // k = N is allowed, k > N is not.
      assertEquals(1, Retrieval.evaluate(index, q, l, 5).recallAtK());
      assertThrows(IllegalArgumentException.class, () -> Retrieval.evaluate(index, q, l, 6));
    }
  }

  @Test
  void mapAtRRanksTiedRowsByRow() {
    try (KnnIndex index = lineIndex()) {
      // Query 2 (b, R = 2): row 2 (a) at 0, rows 1 (b) and 3 (b) tie at 1, row 1 first.
      // First R ranks: a b -> AP = (0 + 1/2) / 2.
      Retrieval.Scores s = Retrieval.evaluate(index, new float[] {2}, new int[] {1}, 1);
      assertEquals(0.25, s.mapAtR(), 1e-12);
      // Perfect ranking scores 1: index of a a b, query near the a's.
      try (KnnIndex sorted = KnnIndex.builder(new float[] {0, 1, 5}, 1)
          .labels(new int[] {0, 0, 1}, null).build(backend)) {
        assertEquals(1.0, Retrieval.evaluate(sorted, new float[] {0.2f}, new int[] {0}, 1)
            .mapAtR(), 1e-12);
      }
    }
  }

  @Test
  void precisionAtOneAgreesWithEvaluate() {
    float[] train = {0, 1, 2, 3, 10};
    int[] labels = {0, 1, 0, 1, 0};
    float[] test = {0.1f, 2.9f, 0.9f};
    int[] testLabels = {0, 1, 0};
    assertEquals(2.0 / 3, Retrieval.precisionAtOne(backend, train, labels, test, testLabels,
        1), 1e-12);
  }

  @Test
  void badInputsAreClearErrors() {
    try (KnnIndex index = lineIndex()) {
      assertThrows(IllegalArgumentException.class,
          () -> Retrieval.evaluate(index, new float[0], new int[0], 1));
      assertThrows(IllegalArgumentException.class,
          () -> Retrieval.evaluate(index, new float[2], new int[1], 1));
    }
    try (KnnIndex unlabelled = KnnIndex.builder(new float[] {1}, 1).build(backend)) {
      assertThrows(IllegalArgumentException.class,
          () -> Retrieval.evaluate(unlabelled, new float[] {1}, new int[] {0}, 1));
    }
  }
}
