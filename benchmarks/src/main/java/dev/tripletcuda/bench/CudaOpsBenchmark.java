package dev.tripletcuda.bench;

import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.backend.cuda.CudaBackend;
import dev.tripletcuda.backend.cuda.CudaOptions;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import dev.tripletcuda.nn.EmbeddingNetwork;
import dev.tripletcuda.nn.Initializer;
import dev.tripletcuda.nn.NetworkSpec;
import dev.tripletcuda.nn.Optimizer;
import dev.tripletcuda.nn.OptimizerSpec;
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
 * The CUDA backend's kernels and one whole training step, at the sizes training and
 * evaluation use; {@code benchmarks/device/torch_peer.py} times the same work in PyTorch on
 * the same GPU under the same names. Every measured call ends with the device synchronised
 * (an operation returning a value to the host waits by itself), so a time is the full latency
 * of the work. Rates (GFLOP/s, samples/s) are derived from these times by
 * {@code benchmarks/device/summarize.py}.
 *
 * <p>Short settings (2 x 0.4 s warm-up, 4 x 0.4 s measurement, one fork) keep the whole set
 * inside the device check's few minutes; the spread JMH prints says whether that was enough.
 * Needs a CUDA device: without one the setup fails.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 400, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 4, time = 400, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class CudaOpsBenchmark {

  /** true: cuBLAS where it loads; false: the built-in tiled SGEMM kernel. */
  @Param({"true"})
  boolean cublas;

  static final int DIM = 784;
  static final int EMB = 128;
  static final int TRAIN_BATCH = 160;
  static final int BIG_BATCH = 1024;
  static final int QUERIES = 2000;
  static final int BASE = 8000;
  static final int SQUARE = 4096;

  private CudaBackend gpu;
  private final SplittableRandom rng = new SplittableRandom(11);

  // The first layer's product: (160, 784) x (256, 784)^T.
  private Tensor input;
  private Tensor weight;
  private Tensor hidden;
  // A square product for the arithmetic rate.
  private Tensor squareA;
  private Tensor squareB;
  private Tensor squareC;
  // Distances and the losses on normalised embeddings.
  private Tensor emb160;
  private Tensor emb1024;
  private Tensor grad160;
  private Tensor grad1024;
  private Tensor dist1024;
  private IntTensor labels160;
  private IntTensor labels1024;
  private TripletLossWorkspace ws;
  // Search: 2000 queries against 8000 rows.
  private Tensor queries;
  private Tensor base;
  private Tensor baseNorms;
  private IntTensor idx1;
  private Tensor dist1;
  private IntTensor idx100;
  private Tensor dist100;
  // Adam over the default network's parameters.
  private Tensor params;
  private Tensor grads;
  private Tensor moment1;
  private Tensor moment2;
  // One training step as the trainer runs it.
  private Tensor data;
  private IntTensor rows;
  private IntTensor stepLabels;
  private Tensor xb;
  private Tensor gradY;
  private EmbeddingNetwork net;
  private Optimizer opt;
  private int[] rowsHost;
  private int[] labelsHost;
  private final TripletLossSpec batchAll =
      new TripletLossSpec(Mining.BATCH_ALL, 0.2f, Reduction.MEAN_ACTIVE);
  private final TripletLossSpec batchHard =
      new TripletLossSpec(Mining.BATCH_HARD, 0.2f, Reduction.MEAN_ACTIVE);
  private final TripletLossSpec semiHard =
      new TripletLossSpec(Mining.SEMI_HARD, 0.2f, Reduction.MEAN_ACTIVE);

  @Setup(Level.Trial)
  public void setUp() {
    gpu = CudaBackend.open(CudaOptions.fromEnvironment().withCublas(cublas));
    input = random(TRAIN_BATCH, DIM, false);
    weight = random(256, DIM, false);
    hidden = gpu.allocate(TRAIN_BATCH, 256);
    squareA = random(SQUARE, SQUARE, false);
    squareB = random(SQUARE, SQUARE, false);
    squareC = gpu.allocate(SQUARE, SQUARE);
    emb160 = random(TRAIN_BATCH, EMB, true);
    emb1024 = random(BIG_BATCH, EMB, true);
    grad160 = gpu.allocate(TRAIN_BATCH, EMB);
    grad1024 = gpu.allocate(BIG_BATCH, EMB);
    dist1024 = gpu.allocate(BIG_BATCH, BIG_BATCH);
    labels160 = labels(TRAIN_BATCH, 10);
    labels1024 = labels(BIG_BATCH, 64);
    ws = gpu.allocateTripletLossWorkspace(BIG_BATCH);
    queries = random(QUERIES, EMB, true);
    base = random(BASE, EMB, true);
    baseNorms = gpu.allocate(BASE, 1);
    gpu.rowSquaredNorms(base, baseNorms);
    idx1 = gpu.allocateInts(QUERIES);
    dist1 = gpu.allocate(QUERIES, 1);
    idx100 = gpu.allocateInts(QUERIES * 100);
    dist100 = gpu.allocate(QUERIES, 100);

    NetworkSpec spec = new NetworkSpec(DIM, NetworkSpec.DEFAULT_LAYERS, true);
    int count = (int) spec.parameterCount();
    params = random(count, 1, false);
    grads = random(count, 1, false);
    moment1 = gpu.allocate(count, 1);
    moment2 = gpu.allocate(count, 1);

    data = random(8000, DIM, false);
    rows = gpu.allocateInts(TRAIN_BATCH);
    stepLabels = gpu.allocateInts(TRAIN_BATCH);
    xb = gpu.allocate(TRAIN_BATCH, DIM);
    gradY = gpu.allocate(TRAIN_BATCH, EMB);
    net = new EmbeddingNetwork(gpu, spec, TRAIN_BATCH);
    net.setParameters(Initializer.fanInUniform(spec, new SplittableRandom(1)));
    opt = OptimizerSpec.DEFAULT.create(gpu, count);
    rowsHost = new int[TRAIN_BATCH];
    labelsHost = new int[TRAIN_BATCH];
    for (int i = 0; i < TRAIN_BATCH; i++) {
      rowsHost[i] = rng.nextInt(8000);
      labelsHost[i] = i / 16;
    }
    gpu.synchronize();
  }

  private Tensor random(int r, int c, boolean normalize) {
    float[] v = new float[r * c];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    if (normalize) {
      for (int i = 0; i < r; i++) {
        double ss = 0;
        for (int k = 0; k < c; k++) {
          ss += v[i * c + k] * v[i * c + k];
        }
        for (int k = 0; k < c; k++) {
          v[i * c + k] /= (float) Math.sqrt(ss);
        }
      }
    }
    Tensor t = gpu.allocate(r, c);
    gpu.upload(v, 0, t);
    return t;
  }

  private IntTensor labels(int n, int classes) {
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = i % classes;
    }
    IntTensor t = gpu.allocateInts(n);
    gpu.upload(l, 0, t);
    return t;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    net.close();
    opt.close();
    gpu.close();
  }

  /** (160, 784) x (256, 784)^T: the first layer's forward product. */
  @Benchmark
  public Tensor gemmFirstLayer() {
    gpu.gemm(false, true, 1f, input, weight, 0f, hidden);
    gpu.synchronize();
    return hidden;
  }

  /** 4096^3: the arithmetic rate of the matrix product. */
  @Benchmark
  public Tensor gemmSquare4096() {
    gpu.gemm(false, false, 1f, squareA, squareB, 0f, squareC);
    gpu.synchronize();
    return squareC;
  }

  /** (1024, 128) against itself. */
  @Benchmark
  public Tensor pairwise1024() {
    gpu.pairwiseSquaredL2(emb1024, emb1024, dist1024);
    gpu.synchronize();
    return dist1024;
  }

  /** Batch-all forward and backward, the training batch of 10 classes x 16. */
  @Benchmark
  public LossStats tripletBatchAll160() {
    return gpu.tripletLoss(emb160, labels160, batchAll, grad160, ws);
  }

  /** Batch-all forward and backward, 1024 rows of 64 classes: 16 M triplets. */
  @Benchmark
  public LossStats tripletBatchAll1024() {
    return gpu.tripletLoss(emb1024, labels1024, batchAll, grad1024, ws);
  }

  /** Batch-hard forward and backward, 1024 rows. */
  @Benchmark
  public LossStats tripletBatchHard1024() {
    return gpu.tripletLoss(emb1024, labels1024, batchHard, grad1024, ws);
  }

  /** Semi-hard forward and backward, 1024 rows. */
  @Benchmark
  public LossStats tripletSemiHard1024() {
    return gpu.tripletLoss(emb1024, labels1024, semiHard, grad1024, ws);
  }

  /** The nearest of 8000 rows for 2000 queries: precision@1. */
  @Benchmark
  public Tensor knnK1() {
    gpu.knn(queries, base, baseNorms, 1, false, idx1, dist1);
    gpu.synchronize();
    return dist1;
  }

  /** The 100 nearest of 8000 rows for 2000 queries. */
  @Benchmark
  public Tensor knnK100() {
    gpu.knn(queries, base, baseNorms, 100, false, idx100, dist100);
    gpu.synchronize();
    return dist100;
  }

  /** One Adam step over the default network's parameters. */
  @Benchmark
  public Tensor adamStep() {
    gpu.adamStep(params, grads, moment1, moment2, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 10);
    gpu.synchronize();
    return params;
  }

  /**
   * One training step as the trainer runs it: upload the batch's rows and labels, gather,
   * forward, batch-all loss, backward, gradient norm, Adam.
   */
  @Benchmark
  public double trainStep160() {
    gpu.upload(rowsHost, 0, rows);
    gpu.upload(labelsHost, 0, stepLabels);
    gpu.gatherRows(data, rows, xb);
    Tensor y = net.forward(xb);
    LossStats stats = gpu.tripletLoss(y, stepLabels, batchAll, gradY, ws);
    net.backward(xb, gradY);
    double norm = gpu.sumOfSquares(net.gradients());
    opt.step(net.parameters(), net.gradients());
    gpu.synchronize();
    return stats.loss() + norm;
  }
}
