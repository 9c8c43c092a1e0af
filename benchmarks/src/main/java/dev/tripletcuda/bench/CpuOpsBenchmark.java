package dev.tripletcuda.bench;

import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * The CPU backend's core operations at the sizes training uses: the first layer's matrix
 * product, pairwise distances, and the batch-all loss forward and backward.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class CpuOpsBenchmark {

  @Param({"256"})
  int batch;

  @Param({"128"})
  int dim;

  private CpuBackend backend;
  private Tensor input;
  private Tensor weight;
  private Tensor hidden;
  private Tensor emb;
  private Tensor dist;
  private Tensor grad;
  private IntTensor labels;
  private TripletLossWorkspace ws;
  private final TripletLossSpec batchAll =
      new TripletLossSpec(Mining.BATCH_ALL, 0.2f, Reduction.MEAN_ACTIVE);

  @Setup(Level.Trial)
  public void setUp() {
    backend = new CpuBackend(Runtime.getRuntime().availableProcessors());
    SplittableRandom rng = new SplittableRandom(7);
    input = random(batch, 784, rng);
    weight = random(256, 784, rng);
    hidden = backend.allocate(batch, 256);
    emb = random(batch, dim, rng);
    dist = backend.allocate(batch, batch);
    grad = backend.allocate(batch, dim);
    labels = backend.allocateInts(batch);
    int[] l = new int[batch];
    for (int i = 0; i < batch; i++) {
      l[i] = i % 16;
    }
    backend.upload(l, 0, labels);
    ws = backend.allocateTripletLossWorkspace(batch);
  }

  private Tensor random(int rows, int cols, SplittableRandom rng) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    Tensor t = backend.allocate(rows, cols);
    backend.upload(v, 0, t);
    return t;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    backend.close();
  }

  /** (batch, 784) x (256, 784)^T: the first layer's forward product. */
  @Benchmark
  public Tensor gemmFirstLayer() {
    backend.gemm(false, true, 1f, input, weight, 0f, hidden);
    return hidden;
  }

  /** (batch, dim) against itself. */
  @Benchmark
  public Tensor pairwiseDistances() {
    backend.pairwiseSquaredL2(emb, emb, dist);
    return dist;
  }

  /** Batch-all forward and backward, 16 classes. */
  @Benchmark
  public LossStats tripletLossBatchAll() {
    return backend.tripletLoss(emb, labels, batchAll, grad, ws);
  }
}
