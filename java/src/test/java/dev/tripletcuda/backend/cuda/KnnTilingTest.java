package dev.tripletcuda.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cutting of a kNN search to fit device memory; arithmetic only, needs no GPU. */
class KnnTilingTest {

  private static final long GIB = 1L << 30;

  @Test
  void planTakesTheWidestTilesWhenMemoryIsPlenty() {
    KnnTiling t = KnnTiling.plan(1000, 1_000_000, 10, 100 * GIB);
    assertEquals(new KnnTiling(1000, TopKKernels.MAX_TILE), t);
  }

  @Test
  void planCapsTheQueryBlockAndTheListsForLargeK() {
    assertEquals(KnnTiling.MAX_QUERY_BLOCK, KnnTiling.plan(50_000, 10_000, 1, 100 * GIB)
        .queryBlock());
    KnnTiling big = KnnTiling.plan(50_000, 1_000_000, 100_000, 100 * GIB);
    assertEquals(KnnTiling.LIST_BUDGET / (16L * 100_000), big.queryBlock());
  }

  @Test
  void planNeverTilesWiderThanTheBase() {
    assertEquals(new KnnTiling(3, 5), KnnTiling.plan(3, 5, 5, GIB));
  }

  @ParameterizedTest(name = "Q={0}, N={1}, k={2}, {3} bytes")
  @CsvSource({"1000, 1000000, 10, 8000000", "4096, 100000, 100, 1000000",
      "1, 1000000, 1000, 30000", "257, 1021, 33, 40000", "5000, 3000, 3000, 100000"})
  void planFitsTheMemoryGiven(int q, int n, int k, long bytes) {
    KnnTiling t = KnnTiling.plan(q, n, k, bytes);
    String where = "Q=" + q + ", N=" + n + ", k=" + k + ", " + bytes + " bytes: " + t;
    assertTrue(t.scratchBytes(k) <= bytes, where);
    assertTrue(t.queryBlock() >= 1 && t.queryBlock() <= q, where);
    assertTrue(t.baseTile() >= 1 && t.baseTile() <= Math.min(n, TopKKernels.MAX_TILE), where);
  }

  @Test
  void planShrinksTheQueryBlockBeforeTheTile() {
    long oneQuery = KnnTiling.scratchBytes(1, TopKKernels.MAX_TILE, 10);
    KnnTiling t = KnnTiling.plan(1000, 1_000_000, 10, 10 * oneQuery);
    assertEquals(new KnnTiling(10, TopKKernels.MAX_TILE), t);
  }

  @Test
  void planFailsNamingBytesWhenOneQueryDoesNotFit() {
    DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
        () -> KnnTiling.plan(10, 1_000_000, 100_000, 1_000_000));
    long need = KnnTiling.scratchBytes(1, KnnTiling.MIN_TILE, 100_000);
    assertEquals(need, e.requestedBytes());
    assertEquals(1_000_000, e.freeBytes());
    assertTrue(e.getMessage().contains(String.format(java.util.Locale.ROOT, "%,d bytes", need)),
        e.getMessage());
    assertTrue(e.getMessage().contains("k=100000"), e.getMessage());
  }

  @Test
  void planRejectsKOutsideTheBase() {
    assertThrows(IllegalArgumentException.class, () -> KnnTiling.plan(1, 5, 6, GIB));
    assertThrows(IllegalArgumentException.class, () -> KnnTiling.plan(0, 5, 1, GIB));
  }
}
