package dev.tripletcuda.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tripletcuda.testing.Random32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdamUpdateTest {

  @ParameterizedTest(name = "n={0}")
  @ValueSource(ints = {1, 15, 16, 17, 31, 33, 257, 1021, 4097})
  void vectorUpdateIsBitIdenticalToThePlainOne(int n) {
    assumeTrue(CpuKernels.vectorized(), "the Vector API module is not loaded");
    int off = 3;
    float[] w = Random32.gaussian(n, off + n);
    float[] g = Random32.gaussian(n + 1, off + n);
    float[] m = Random32.uniform(n + 2, off + n, -0.1f, 0.1f);
    float[] v = Random32.uniform(n + 3, off + n, 0f, 0.01f);
    // A zero second moment with a zero gradient: sqrt(0) / bc2 + eps, the smallest divisor.
    g[off] = 0f;
    v[off] = 0f;
    float[] w2 = w.clone();
    float[] m2 = m.clone();
    float[] v2 = v.clone();
    float stepSize = 1e-3f / (1 - 0.9f * 0.9f);
    float bc2Sqrt = (float) Math.sqrt(1 - 0.999 * 0.999);
    new AdamUpdate().update(w, off, g, off, m, off, v, off, 0, n, 0.9f, 0.999f, stepSize,
        bc2Sqrt, 1e-8f, 0.01f);
    CpuKernels.adamUpdate().update(w2, off, g, off, m2, off, v2, off, 0, n, 0.9f, 0.999f,
        stepSize, bc2Sqrt, 1e-8f, 0.01f);
    assertArrayEquals(w, w2, "parameters, n=" + n);
    assertArrayEquals(m, m2, "first moments, n=" + n);
    assertArrayEquals(v, v2, "second moments, n=" + n);
  }
}
