package dev.tripletcuda.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmBlocked} micro-kernels on the Vector API: a 4 x (2 vectors) tile of C in eight
 * registers, one broadcast of A and two loads of packed B per four fused multiply-adds. With
 * 512-bit vectors that is a 4 x 32 tile.
 *
 * <p>Loaded only when the {@code jdk.incubator.vector} module is in the boot layer
 * ({@link CpuKernels}); the class fails to link otherwise.
 */
final class GemmPanama extends GemmBlocked {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  GemmPanama(WorkerPool pool) {
    super(pool);
  }

  @Override
  int nr() {
    return 2 * L;
  }

  @Override
  void rows4(float[] a, int a0, int rs, int cs, float[] bp, int b0, int kc, float alpha,
      float[] c, int c0, int ldc, boolean accumulate) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    int ap = a0;
    int bo = b0;
    for (int p = 0; p < kc; p++, ap += cs, bo += 2 * L) {
      FloatVector y0 = FloatVector.fromArray(S, bp, bo);
      FloatVector y1 = FloatVector.fromArray(S, bp, bo + L);
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(y0, c00);
      c01 = x.fma(y1, c01);
      x = FloatVector.broadcast(S, a[ap + rs]);
      c10 = x.fma(y0, c10);
      c11 = x.fma(y1, c11);
      x = FloatVector.broadcast(S, a[ap + 2 * rs]);
      c20 = x.fma(y0, c20);
      c21 = x.fma(y1, c21);
      x = FloatVector.broadcast(S, a[ap + 3 * rs]);
      c30 = x.fma(y0, c30);
      c31 = x.fma(y1, c31);
    }
    store(c00, c01, alpha, c, c0, accumulate);
    store(c10, c11, alpha, c, c0 + ldc, accumulate);
    store(c20, c21, alpha, c, c0 + 2 * ldc, accumulate);
    store(c30, c31, alpha, c, c0 + 3 * ldc, accumulate);
  }

  @Override
  void rows1(float[] a, int a0, int cs, float[] bp, int b0, int kc, float alpha, float[] c,
      int c0, boolean accumulate) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    int ap = a0;
    int bo = b0;
    for (int p = 0; p < kc; p++, ap += cs, bo += 2 * L) {
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(FloatVector.fromArray(S, bp, bo), c00);
      c01 = x.fma(FloatVector.fromArray(S, bp, bo + L), c01);
    }
    store(c00, c01, alpha, c, c0, accumulate);
  }

  /** c[c0 .. c0 + 2L) = (c +) alpha * (lo ++ hi). */
  private static void store(FloatVector lo, FloatVector hi, float alpha, float[] c, int c0,
      boolean accumulate) {
    lo = lo.mul(alpha);
    hi = hi.mul(alpha);
    if (accumulate) {
      lo = lo.add(FloatVector.fromArray(S, c, c0));
      hi = hi.add(FloatVector.fromArray(S, c, c0 + L));
    }
    lo.intoArray(c, c0);
    hi.intoArray(c, c0 + L);
  }
}
