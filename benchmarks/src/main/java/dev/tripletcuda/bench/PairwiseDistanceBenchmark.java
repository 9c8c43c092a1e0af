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
 * Squared L2 distances between every row of x (n, D) and every row of y (n, D): the (n, n)
 * matrix that the loss and the search start from. Rates: calls, pairs and GFLOP per second,
 * counting the 2 n^2 D flops of the product.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PairwiseDistanceBenchmark extends BackendBenchmark {

  @Param({"256", "1024", "4096"})
  int rows;

  @Param({"128"})
  int dim;

  /** (rows, dim) each. */
  private Tensor x;
  private Tensor y;
  /** (rows, rows). */
  private Tensor out;

  /** Work per call, reported per second beside the calls. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Work {
    public long pairs;
    public double gflop;
  }

  @Setup(Level.Trial)
  public void setUp() {
    openBackend();
    x = BenchInputs.gaussian(engine, rows, dim, 1);
    y = BenchInputs.gaussian(engine, rows, dim, 2);
    out = engine.allocate(rows, rows);
    engine.synchronize();
  }

  @Benchmark
  public Tensor pairwiseSquaredL2(Work work) {
    engine.pairwiseSquaredL2(x, y, out);
    engine.synchronize();
    work.pairs += (long) rows * rows;
    work.gflop += 2e-9 * rows * rows * dim;
    return out;
  }
}
