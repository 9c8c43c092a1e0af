package dev.tripletcuda.bench;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Squared L2 distances between every row of x (n, D) and every row of y (n, D): the (n, n)
 * matrix that the loss and the search start from. Rates: calls, pairs and GFLOP per second,
 * counting the 2 n^2 D flops of the product.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class PairwiseDistanceBenchmark {

  @Param({"cpu", "cuda"})
  String backend;

  @Param({"256", "1024", "4096"})
  int rows;

  @Param({"128"})
  int dim;

  private Backend engine;
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
    engine = BenchInputs.open(backend);
    x = BenchInputs.gaussian(engine, rows, dim, 1);
    y = BenchInputs.gaussian(engine, rows, dim, 2);
    out = engine.allocate(rows, rows);
    engine.synchronize();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (engine != null) {
      engine.close();
    }
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
