package dev.tripletcuda.bench;

import dev.tripletcuda.backend.Tensor;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The five matrix products of one training step of the 784-256-128 network on a batch of B
 * rows, each with the transposes the network uses, and the product behind pairwise distances and
 * kNN search. Rate: GFLOP per second (2 m n k per call).
 *
 * <ul>
 *   <li>{@code fwd1-NT}: z1 (B, 256) = x (B, 784) W1 (256, 784)^T
 *   <li>{@code fwd2-NT}: z2 (B, 128) = a1 (B, 256) W2 (128, 256)^T
 *   <li>{@code dW2-TN}: dW2 (128, 256) = delta2 (B, 128)^T a1 (B, 256)
 *   <li>{@code dA1-NN}: dA1 (B, 256) = delta2 (B, 128) W2 (128, 256)
 *   <li>{@code dW1-TN}: dW1 (256, 784) = delta1 (B, 256)^T x (B, 784)
 *   <li>{@code search-NT}: dot (B, 1024) = q (B, 128) base (1024, 128)^T, a distance tile of B
 *       queries against 1024 rows
 * </ul>
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark extends BackendBenchmark {

  @Param({"fwd1-NT", "fwd2-NT", "dW2-TN", "dA1-NN", "dW1-TN", "search-NT"})
  String product;

  @Param({"160", "640"})
  int batch;

  private boolean transA;
  private boolean transB;
  private Tensor a;
  private Tensor b;
  private Tensor c;
  private double gflopPerCall;

  /** Work per call, reported per second beside the calls. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Work {
    public double gflop;
  }

  @Setup(Level.Trial)
  public void setUp() {
    openBackend();
    // {rows of a, cols of a, rows of b, cols of b}, as stored.
    int[] s;
    switch (product) {
      case "fwd1-NT":
        s = new int[] {batch, 784, 256, 784};
        transB = true;
        break;
      case "fwd2-NT":
        s = new int[] {batch, 256, 128, 256};
        transB = true;
        break;
      case "dW2-TN":
        s = new int[] {batch, 128, batch, 256};
        transA = true;
        break;
      case "dA1-NN":
        s = new int[] {batch, 128, 128, 256};
        break;
      case "dW1-TN":
        s = new int[] {batch, 256, batch, 784};
        transA = true;
        break;
      case "search-NT":
        s = new int[] {batch, 128, 1024, 128};
        transB = true;
        break;
      default:
        throw new IllegalArgumentException("product='" + product
            + "', expected fwd1-NT, fwd2-NT, dW2-TN, dA1-NN, dW1-TN or search-NT");
    }
    a = BenchInputs.gaussian(engine, s[0], s[1], 4);
    b = BenchInputs.gaussian(engine, s[2], s[3], 5);
    int m = transA ? s[1] : s[0];
    int k = transA ? s[0] : s[1];
    int n = transB ? s[2] : s[3];
    c = engine.allocate(m, n);
    gflopPerCall = 2e-9 * m * n * k;
    engine.synchronize();
  }

  @Benchmark
  public Tensor gemm(Work work) {
    engine.gemm(transA, transB, 1f, a, b, 0f, c);
    engine.synchronize();
    work.gflop += gflopPerCall;
    return c;
  }
}
