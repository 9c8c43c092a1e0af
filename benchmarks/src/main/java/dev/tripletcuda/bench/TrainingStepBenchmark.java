package dev.tripletcuda.bench;

import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Mining;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * One full training step of the 784-256-128 network on the embedded MNIST sample, as the
 * trainer runs it (see {@link TrainingStep}), for batches of 10 classes x batch/10 rows. Rates:
 * steps and training samples per second.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TrainingStepBenchmark extends BackendBenchmark {

  @Param({"batch-all", "batch-hard", "semi-hard"})
  String mining;

  @Param({"160", "640"})
  int batch;

  private TrainingStep step;

  /** Work per call, reported per second beside the calls. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Work {
    public long samples;
  }

  @Setup(Level.Trial)
  public void setUp() {
    if (batch % TrainingStep.CLASSES != 0) {
      throw new IllegalArgumentException("batch=" + batch + ", expected a multiple of "
          + TrainingStep.CLASSES + " (10 classes per batch)");
    }
    openBackend();
    step = new TrainingStep(engine, Mining.parse(mining), batch / TrainingStep.CLASSES, 42);
  }

  @Override
  protected void closeInputs() {
    if (step != null) {
      step.close();
      step = null;
    }
  }

  @Benchmark
  public LossStats step(Work work, Blackhole bh) {
    LossStats stats = step.run();
    engine.synchronize();
    bh.consume(step.gradNorm());
    work.samples += batch;
    return stats;
  }
}
