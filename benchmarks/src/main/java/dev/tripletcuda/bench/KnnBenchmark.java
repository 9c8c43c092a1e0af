package dev.tripletcuda.bench;

import dev.tripletcuda.backend.IntTensor;
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
 * Exact squared-L2 k-nearest-neighbour search of Q query rows (Q, D) in a base (N, D), through
 * {@code Backend.knn}. The base norms are computed once in the setup, as an index keeps them.
 * Rates: calls, queries and GFLOP per second (2 Q N D per call, the distance product).
 *
 * <p>The default sizes keep the run short on two cores; a million base rows is opt-in:
 * {@code -p base=1000000} (512 MiB of base, several seconds per call on the CPU).
 */
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KnnBenchmark extends BackendBenchmark {

  @Param({"1000"})
  int queries;

  @Param({"10000", "100000"})
  int base;

  @Param({"1", "10", "100"})
  int k;

  @Param({"128"})
  int dim;

  /** (queries, dim). */
  private Tensor q;
  /** (base, dim). */
  private Tensor b;
  /** (base, 1). */
  private Tensor norms;
  /** (queries * k). */
  private IntTensor outIdx;
  /** (queries, k). */
  private Tensor outDist;

  /** Work per call, reported per second beside the calls. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Work {
    public long queries;
    public double gflop;
  }

  @Setup(Level.Trial)
  public void setUp() {
    openBackend();
    q = BenchInputs.gaussian(engine, queries, dim, 6);
    b = BenchInputs.gaussian(engine, base, dim, 7);
    norms = engine.allocate(base, 1);
    engine.rowSquaredNorms(b, norms);
    outIdx = engine.allocateInts(queries * k);
    outDist = engine.allocate(queries, k);
    engine.synchronize();
  }

  @Benchmark
  public IntTensor search(Work work) {
    engine.knn(q, b, norms, k, false, outIdx, outDist);
    engine.synchronize();
    work.queries += queries;
    work.gflop += 2e-9 * queries * base * dim;
    return outIdx;
  }
}
