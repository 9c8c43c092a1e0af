package dev.tripletcuda.backend.cuda;

import java.util.Locale;

/**
 * How a kNN search is cut to fit device memory: queries in blocks of {@code queryBlock} rows,
 * the base in tiles of {@code baseTile} rows. One block's scratch is a (queryBlock, baseTile)
 * distance tile, two running lists of (queryBlock, k) 8-byte keys and queryBlock query norms.
 *
 * @param queryBlock queries per block, 1 .. Q
 * @param baseTile base rows per tile, 1 .. {@link TopKKernels#MAX_TILE}
 */
record KnnTiling(int queryBlock, int baseTile) {

  /** Queries per block at most: 4096 x 2048 distances are 32 MiB. */
  static final int MAX_QUERY_BLOCK = 4096;

  /** Bytes the two running lists of a query block may take (16 bytes per query per k). */
  static final long LIST_BUDGET = 128L << 20;

  /** The narrowest base tile worth launching for: below it the launches dominate. */
  static final int MIN_TILE = 256;

  /** Device bytes the search's scratch takes for this plan and k. */
  long scratchBytes(int k) {
    return scratchBytes(queryBlock, baseTile, k);
  }

  static long scratchBytes(int block, int tile, int k) {
    return 4L * block * tile + 16L * block * k + 4L * block;
  }

  /**
   * The largest blocks and tiles whose scratch fits in {@code availableBytes}: first the
   * widest base tile and as many queries per block as the caps allow, then fewer queries per
   * block, then narrower tiles, down to one query against {@link #MIN_TILE} base rows.
   *
   * @param queries Q &gt;= 1
   * @param base N &gt;= 1
   * @param k 1 .. N
   * @param availableBytes device memory the scratch may take
   * @throws DeviceOutOfMemoryException when even one query cannot be searched in that memory;
   *     the message names the bytes needed and available
   */
  static KnnTiling plan(int queries, int base, int k, long availableBytes) {
    if (queries < 1 || base < 1 || k < 1 || k > base) {
      throw new IllegalArgumentException("queries=" + queries + ", base=" + base + ", k=" + k
          + ", expected queries >= 1, base >= 1 and k in 1..base");
    }
    int tile = Math.min(base, TopKKernels.MAX_TILE);
    long capped = Math.min(Math.min(queries, MAX_QUERY_BLOCK), LIST_BUDGET / (16L * k));
    int block = (int) Math.max(1, capped);
    long perQuery = scratchBytes(1, tile, k);
    if (scratchBytes(block, tile, k) > availableBytes) {
      block = (int) Math.max(1, Math.min(block, availableBytes / perQuery));
    }
    while (scratchBytes(block, tile, k) > availableBytes && tile > MIN_TILE) {
      tile = Math.max(MIN_TILE, tile / 2);
    }
    long need = scratchBytes(block, tile, k);
    if (need > availableBytes) {
      throw new DeviceOutOfMemoryException(String.format(Locale.ROOT, "out of device memory: "
          + "a kNN search with k=%d needs %,d bytes of scratch for one query against %d base "
          + "rows, %,d bytes are available; search with a smaller k or free device memory",
          k, need, tile, availableBytes), need, availableBytes);
    }
    return new KnnTiling(block, tile);
  }
}
