package dev.tripletcuda.backend.cpu;

/**
 * {@link GemmBlocked} micro-kernels in plain Java, for JVMs started without the Vector API
 * module. The JIT vectorises little of this; it is the portable path, several times slower.
 */
final class GemmScalar extends GemmBlocked {

  private static final int NR = 16;
  private final ThreadLocal<float[]> tile = ThreadLocal.withInitial(() -> new float[4 * NR]);

  GemmScalar(WorkerPool pool) {
    super(pool);
  }

  @Override
  int nr() {
    return NR;
  }

  @Override
  void rows4(float[] a, int a0, int rs, int cs, float[] bp, int b0, int kc, float alpha,
      float[] c, int c0, int ldc, boolean accumulate) {
    float[] acc = tile.get();
    java.util.Arrays.fill(acc, 0f);
    int ap = a0;
    for (int p = 0; p < kc; p++, ap += cs) {
      float x0 = a[ap];
      float x1 = a[ap + rs];
      float x2 = a[ap + 2 * rs];
      float x3 = a[ap + 3 * rs];
      int bo = b0 + p * NR;
      for (int q = 0; q < NR; q++) {
        float bv = bp[bo + q];
        acc[q] += x0 * bv;
        acc[NR + q] += x1 * bv;
        acc[2 * NR + q] += x2 * bv;
        acc[3 * NR + q] += x3 * bv;
      }
    }
    for (int r = 0; r < 4; r++) {
      int row = c0 + r * ldc;
      for (int q = 0; q < NR; q++) {
        float v = alpha * acc[r * NR + q];
        c[row + q] = accumulate ? c[row + q] + v : v;
      }
    }
  }

  @Override
  void rows1(float[] a, int a0, int cs, float[] bp, int b0, int kc, float alpha, float[] c,
      int c0, boolean accumulate) {
    float[] acc = tile.get();
    java.util.Arrays.fill(acc, 0, NR, 0f);
    int ap = a0;
    for (int p = 0; p < kc; p++, ap += cs) {
      float x = a[ap];
      int bo = b0 + p * NR;
      for (int q = 0; q < NR; q++) {
        acc[q] += x * bp[bo + q];
      }
    }
    for (int q = 0; q < NR; q++) {
      float v = alpha * acc[q];
      c[c0 + q] = accumulate ? c[c0 + q] + v : v;
    }
  }
}
