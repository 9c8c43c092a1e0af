package dev.tripletcuda.bench;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.io.DataSources;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import dev.tripletcuda.nn.EmbeddingNetwork;
import dev.tripletcuda.nn.Initializer;
import dev.tripletcuda.nn.NetworkSpec;
import dev.tripletcuda.nn.Optimizer;
import dev.tripletcuda.nn.OptimizerSpec;
import dev.tripletcuda.train.PkSampler;
import dev.tripletcuda.train.SplitMix64;

/**
 * One step of the trainer's loop, set up as the trainer sets it up: the embedded MNIST training
 * split (8,000 x 784, scaled to [0, 1]) resident on the backend, a sampler of 10 classes x K
 * rows, the 784-256-128 network with ReLU and L2-normalised output, the triplet loss with margin
 * 0.2 averaged over active triplets, and Adam at 1e-3.
 *
 * <p>{@link #run} does what the trainer does per batch: draw the rows, send their indices and
 * labels, gather the rows on the backend, forward, loss, backward, the gradient norm (which
 * the trainer reads back to detect divergence) and the optimiser step.
 */
final class TrainingStep implements AutoCloseable {

  /** Classes per batch: all ten digits. */
  static final int CLASSES = 10;

  private final Backend backend;
  private final PkSampler sampler;
  private final TripletLossSpec spec;
  private final int batch;
  /** (batch) host copies of the drawn rows and their labels. */
  private final int[] rowsHost;
  private final int[] labelsHost;
  /** (8000, 784). */
  private final Tensor data;
  /** (batch). */
  private final IntTensor rows;
  private final IntTensor labels;
  /** (batch, 784). */
  private final Tensor xb;
  /** (batch, 128). */
  private final Tensor gradY;
  private final TripletLossWorkspace ws;
  private final EmbeddingNetwork net;
  private final Optimizer opt;
  private double gradNorm;

  /** A step of 10 classes x perClass rows with the given mining, on backend. */
  TrainingStep(Backend backend, Mining mining, int perClass, long seed) {
    this.backend = backend;
    this.batch = CLASSES * perClass;
    Dataset train = DataSources.embedded()[0];
    NetworkSpec net = new NetworkSpec(train.dim(), NetworkSpec.DEFAULT_LAYERS, true);
    spec = new TripletLossSpec(mining, 0.2f, Reduction.MEAN_ACTIVE);
    sampler = new PkSampler(train.labels(), train.classCount(), CLASSES, perClass,
        train.classNames(), new SplitMix64(seed));
    rowsHost = new int[batch];
    labelsHost = new int[batch];

    data = backend.allocate(train.rows(), train.dim());
    backend.upload(InputTransform.fit(train).apply(train), 0, data);
    rows = backend.allocateInts(batch);
    labels = backend.allocateInts(batch);
    xb = backend.allocate(batch, train.dim());
    gradY = backend.allocate(batch, net.outputDim());
    ws = backend.allocateTripletLossWorkspace(batch);
    this.net = new EmbeddingNetwork(backend, net, batch);
    this.net.setParameters(Initializer.fanInUniform(net, new SplitMix64(seed + 1)));
    opt = OptimizerSpec.DEFAULT.create(backend, (int) net.parameterCount());
    backend.synchronize();
  }

  /** Rows per step. */
  int batchSize() {
    return batch;
  }

  /** The gradient norm of the last step. */
  double gradNorm() {
    return gradNorm;
  }

  /** One training step; returns the loss statistics, as the trainer reads them. */
  LossStats run() {
    sampler.next(rowsHost, labelsHost);
    backend.upload(rowsHost, 0, rows);
    backend.upload(labelsHost, 0, labels);
    backend.gatherRows(data, rows, xb);

    Tensor y = net.forward(xb);
    LossStats stats = backend.tripletLoss(y, labels, spec, gradY, ws);
    net.backward(xb, gradY);
    gradNorm = Math.sqrt(backend.sumOfSquares(net.gradients()));
    opt.step(net.parameters(), net.gradients());
    return stats;
  }

  @Override
  public void close() {
    opt.close();
    net.close();
    ws.close();
    gradY.close();
    xb.close();
    labels.close();
    rows.close();
    data.close();
  }
}
