package dev.tripletcuda.bench;

import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
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
 * The mined triplet loss, forward and backward, on unit-length embeddings (batch, dim) with
 * P x K labels (K = perClass, P = batch / K), margin 0.2, mean over active triplets. Rates:
 * calls, anchors (batch rows) and triplets considered by the mining mode, per second.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TripletLossBenchmark extends BackendBenchmark {

  @Param({"batch-all", "batch-hard", "semi-hard"})
  String mining;

  @Param({"128", "256", "512", "1024"})
  int batch;

  @Param({"16"})
  int perClass;

  @Param({"128"})
  int dim;

  /** (batch, dim). */
  private Tensor emb;
  /** (batch, dim). */
  private Tensor grad;
  /** (batch). */
  private IntTensor labels;
  private TripletLossWorkspace ws;
  private TripletLossSpec spec;

  /** Work per call, reported per second beside the calls. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Work {
    public long anchors;
    public long triplets;
  }

  @Setup(Level.Trial)
  public void setUp() {
    openBackend();
    spec = new TripletLossSpec(Mining.parse(mining), 0.2f, Reduction.MEAN_ACTIVE);
    emb = BenchInputs.unitRows(engine, batch, dim, 3);
    grad = engine.allocate(batch, dim);
    labels = BenchInputs.pkLabels(engine, batch, perClass);
    ws = engine.allocateTripletLossWorkspace(batch);
    engine.synchronize();
  }

  /** Returns the stats; the gradient stays on the backend, finished by the synchronise. */
  @Benchmark
  public LossStats forwardBackward(Work work) {
    LossStats stats = engine.tripletLoss(emb, labels, spec, grad, ws);
    engine.synchronize();
    work.anchors += batch;
    work.triplets += stats.triplets();
    return stats;
  }
}
