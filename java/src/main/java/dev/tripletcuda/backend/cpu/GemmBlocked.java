package dev.tripletcuda.backend.cpu;

/**
 * Cache-blocked single-precision matrix product on Java arrays, in the BLIS loop order:
 * C (m, n) = alpha * op(A) (m, k) * op(B) (k, n) + beta * C, all row-major with leading
 * dimensions lda, ldb, ldc.
 *
 * <p>Loops, outermost first: column panels of C (one panel per parallel part, so each part packs
 * its own B), k blocks of {@link #KC} (the packed B panel, kc x width, stays in L2), column
 * strips of {@link #nr()} (a kc x nr strip of packed B, one contiguous block, stays in L1), then
 * rows four at a time: the micro-kernel keeps a 4 x nr tile of C in registers across the whole
 * k block. In contiguous strips the kernel steps through B by a constant, which lets the JIT
 * hoist the loads' bounds checks out of its loop; against a row-major packed panel this measured
 * about 20 % faster on 1024 x 1024 x 128 on two Zen 4 cores. A is read in place through strides,
 * which covers both transposes without a copy. (Packing A into interleaved groups of four rows,
 * as BLIS does, was measured 10 to 15 % slower on a Zen 4 core: the four rows' k slices stay in
 * L1 across the strips, so the copy only added traffic.) When beta is 0 the first k block stores
 * into C rather than clearing C and adding to it.
 *
 * <p>Each element of C is accumulated by one part in a fixed k order, so results do not depend on
 * the number of threads. Subclasses supply the micro-kernels: {@link GemmPanama} with the Vector
 * API, {@link GemmScalar} in plain Java where that module is absent.
 */
abstract class GemmBlocked {

  /** Depth of one k block: a 4 x KC slice of A is 4 KiB and stays in L1 with the B strip. */
  static final int KC = 256;

  /** Widest column panel one part packs: KC x 512 floats = 512 KiB, about an L2. */
  static final int NC_MAX = 512;

  /** Below this many multiply-adds a product runs on the calling thread alone. */
  static final long PARALLEL_MIN_FMA = 1L << 19;

  private final WorkerPool pool;
  /** Per thread: the packed B panel. */
  private final ThreadLocal<float[]> packed;
  /** Per thread: a 4 x nr tile for the last, partial strip of a panel. */
  private final ThreadLocal<float[]> edge;

  GemmBlocked(WorkerPool pool) {
    this.pool = pool;
    int width = NC_MAX + nr();
    this.packed = ThreadLocal.withInitial(() -> new float[KC * width]);
    this.edge = ThreadLocal.withInitial(() -> new float[4 * nr()]);
  }

  /** Columns one micro-kernel call computes; panels are padded to a multiple of it. */
  abstract int nr();

  /**
   * C[r][q] (+)= alpha * sum_p A(r, p) * Bp[p][q] for rows r in 0..3 and the nr columns q of one
   * strip.
   * Kernels have no partial-tile path: the driver runs the last strip of a panel into a scratch
   * tile instead, which keeps masked vector operations (not intrinsics on every JDK) and their
   * slow paths out of the compiled kernel.
   *
   * @param a A(r, p) is {@code a[a0 + r * rs + p * cs]}
   * @param bp packed B: the strip's row p at {@code bp[b0 + p * nr]}, nr columns
   * @param c C(r, q) is {@code c[c0 + r * ldc + q]}
   * @param accumulate add to C; false stores into it without reading it
   */
  abstract void rows4(float[] a, int a0, int rs, int cs, float[] bp, int b0, int kc,
      float alpha, float[] c, int c0, int ldc, boolean accumulate);

  /** As {@link #rows4} for one row. */
  abstract void rows1(float[] a, int a0, int cs, float[] bp, int b0, int kc, float alpha,
      float[] c, int c0, boolean accumulate);

  /**
   * The product. Arguments are checked by the caller; see the class comment for the layout.
   *
   * @param transA op(A) is A^T, with A stored (k, m)
   * @param transB op(B) is B^T, with B stored (n, k)
   */
  final void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
      float[] c, int cOff, int ldc) {
    boolean parallel = pool.threads() > 1 && (long) m * n * k >= PARALLEL_MIN_FMA;
    run(parallel, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
        ldc);
  }

  /** As {@link #gemm}, on the calling thread alone: for callers already inside a part. */
  final void gemmSerial(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
      float[] c, int cOff, int ldc) {
    run(false, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  private void run(boolean parallel, boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
      float[] c, int cOff, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    int threads = pool.threads();

    // Column panels: enough for every thread when the product is large, at most NC_MAX wide.
    int nr = nr();
    int want = parallel ? threads : 1;
    int nc = Math.min(NC_MAX, roundUp(ceilDiv(n, want), nr));
    int panels = ceilDiv(n, nc);

    // Few panels but many rows (a narrow C): split the rows too, repacking B per row block.
    int rowBlocks = 1;
    if (parallel && panels < threads && m >= 8 * threads) {
      rowBlocks = ceilDiv(threads, panels);
    }
    int rowsPerBlock = roundUp(ceilDiv(m, rowBlocks), 4);
    rowBlocks = ceilDiv(m, rowsPerBlock);

    int finalNc = nc;
    int finalRowBlocks = rowBlocks;
    int parts = panels * rowBlocks;
    WorkerPool.Part part = index -> {
      int panel = index / finalRowBlocks;
      int block = index % finalRowBlocks;
      int j0 = panel * finalNc;
      int j1 = Math.min(n, j0 + finalNc);
      int i0 = block * rowsPerBlock;
      int i1 = Math.min(m, i0 + rowsPerBlock);
      panel(transA, transB, i0, i1, j0, j1, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
          c, cOff, ldc);
    };
    if (parallel) {
      pool.run(parts, part);
    } else {
      for (int i = 0; i < parts; i++) {
        part.run(i);
      }
    }
  }

  /** Rows [i0, i1) and columns [j0, j1) of C, over the whole k extent. */
  private void panel(boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta,
      float[] c, int cOff, int ldc) {
    int width = j1 - j0;
    if (k == 0 || alpha == 0f) {
      scale(c, cOff, ldc, i0, i1, j0, j1, beta);
      return;
    }
    // beta 0: the first k block stores into C; otherwise C is scaled once and every block adds.
    boolean store = beta == 0f;
    if (!store) {
      scale(c, cOff, ldc, i0, i1, j0, j1, beta);
    }

    int nr = nr();
    float[] bp = packed.get();
    // A(i, p) = a[aOff + i * rs + p * cs] covers both layouts of A.
    int rs = transA ? 1 : lda;
    int cs = transA ? lda : 1;

    for (int p0 = 0; p0 < k; p0 += KC) {
      int kc = Math.min(KC, k - p0);
      boolean accumulate = !store || p0 > 0;
      pack(transB, b, bOff, ldb, p0, kc, j0, width, bp, nr);

      for (int jj = 0; jj < width; jj += nr) {
        int valid = Math.min(nr, width - jj);
        int b0 = jj * kc;
        if (valid < nr) {
          edgeStrip(a, aOff, rs, cs, p0, i0, i1, bp, b0, kc, alpha, c, cOff + j0 + jj, ldc,
              valid, accumulate);
          continue;
        }
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
          rows4(a, aOff + i * rs + p0 * cs, rs, cs, bp, b0, kc, alpha,
              c, cOff + i * ldc + j0 + jj, ldc, accumulate);
        }
        for (; i < i1; i++) {
          rows1(a, aOff + i * rs + p0 * cs, cs, bp, b0, kc, alpha,
              c, cOff + i * ldc + j0 + jj, accumulate);
        }
      }
    }
  }

  /** The last strip of a panel, {@code valid < nr} columns wide, through a scratch tile. */
  private void edgeStrip(float[] a, int aOff, int rs, int cs, int p0, int i0, int i1,
      float[] bp, int b0, int kc, float alpha, float[] c, int c0, int ldc, int valid,
      boolean accumulate) {
    int nr = nr();
    float[] tile = edge.get();
    for (int i = i0; i < i1; i += 4) {
      int rows = Math.min(4, i1 - i);
      if (rows == 4) {
        rows4(a, aOff + i * rs + p0 * cs, rs, cs, bp, b0, kc, alpha, tile, 0, nr, false);
      } else {
        for (int r = 0; r < rows; r++) {
          rows1(a, aOff + (i + r) * rs + p0 * cs, cs, bp, b0, kc, alpha, tile, r * nr, false);
        }
      }
      for (int r = 0; r < rows; r++) {
        int row = c0 + (i + r) * ldc;
        for (int q = 0; q < valid; q++) {
          c[row + q] = accumulate ? c[row + q] + tile[r * nr + q] : tile[r * nr + q];
        }
      }
    }
  }

  /**
   * bp = op(B)[p0 .. p0+kc, j0 .. j0+width] as strips of nr columns, zero-padded to whole
   * strips: column j of the panel, row p, at {@code bp[(j / nr) * kc * nr + p * nr + j % nr]}.
   * Each strip is one contiguous (kc, nr) block, so the kernel walks it with a constant stride.
   */
  private static void pack(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0,
      int width, float[] bp, int nr) {
    for (int s0 = 0; s0 < width; s0 += nr) {
      int cols = Math.min(nr, width - s0);
      int strip = s0 * kc;
      for (int p = 0; p < kc; p++) {
        int dst = strip + p * nr;
        if (!transB) {
          System.arraycopy(b, bOff + (p0 + p) * ldb + j0 + s0, bp, dst, cols);
        } else {
          int src = bOff + (j0 + s0) * ldb + p0 + p;
          for (int q = 0; q < cols; q++, src += ldb) {
            bp[dst + q] = b[src];
          }
        }
        for (int q = cols; q < nr; q++) {
          bp[dst + q] = 0f;
        }
      }
    }
  }

  /** C[i0..i1, j0..j1] *= beta; beta == 0 clears, so NaNs already in C do not survive. */
  private static void scale(float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1,
      float beta) {
    if (beta == 1f) {
      return;
    }
    for (int i = i0; i < i1; i++) {
      int row = cOff + i * ldc;
      for (int j = j0; j < j1; j++) {
        c[row + j] = beta == 0f ? 0f : c[row + j] * beta;
      }
    }
  }

  static int ceilDiv(int x, int y) {
    return (x + y - 1) / y;
  }

  static int roundUp(int x, int multiple) {
    return ceilDiv(x, multiple) * multiple;
  }
}
