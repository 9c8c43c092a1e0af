package dev.tripletcuda.train;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.EmbeddingNetwork;
import dev.tripletcuda.nn.Initializer;
import dev.tripletcuda.nn.NetworkSpec;
import dev.tripletcuda.nn.Optimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an embedding network with the triplet loss on one backend.
 *
 * <p>The training split goes to the backend once; each step then sends only the batch's row
 * indices and labels, gathers the rows there, and runs forward, loss, backward and the optimiser
 * without leaving the backend. Every buffer is allocated before the first step.
 *
 * <p>On the CPU the same seed gives the same weights, whatever the number of threads. Training
 * is single-threaded from the caller's view: one {@code fit} at a time per backend.
 */
public final class Trainer {

  private static final Logger log = LoggerFactory.getLogger(Trainer.class);

  /** Seed tags: independent random streams for the initial weights and the batches. */
  static final long INIT_STREAM = 1;
  static final long SAMPLER_STREAM = 2;

  private final Backend backend;
  private final TrainConfig config;

  public Trainer(Backend backend, TrainConfig config) {
    this.backend = requireNonNull("backend", backend);
    this.config = requireNonNull("config", config);
  }

  /**
   * Trains on a dataset of raw values; the input transform is fitted on it and stored in the
   * model.
   *
   * @throws IllegalArgumentException when the data cannot form batches (too few classes, or a
   *     class smaller than the samples per class); the message suggests settings that work
   * @throws TrainingDivergedException when the loss or the gradient stops being finite
   */
  public TrainResult fit(Dataset train, TrainingListener listener) {
    requireNonNull("train", train);
    if (train.rows() == 0) {
      throw new IllegalArgumentException("training data " + train.source() + " has no rows, "
          + "expected at least one batch of " + config.batchSize());
    }
    TrainingListener events = listener == null ? TrainingListener.NONE : listener;
    NetworkSpec spec = config.network(train.dim());
    PkSampler sampler = new PkSampler(train.labels(), train.classCount(),
        config.classesPerBatch(), config.perClass(), train.classNames(),
        SplitMix64.derive(config.seed(), SAMPLER_STREAM));
    InputTransform transform = InputTransform.fit(train);
    float[] x = transform.apply(train);

    int batch = config.batchSize();
    int batchesPerEpoch = train.rows() / batch;
    int[] rowsHost = new int[batch];
    int[] labelsHost = new int[batch];
    List<BatchStats> history = new ArrayList<>();
    List<EpochStats> epochs = new ArrayList<>(config.epochs());
    log.info("training {} on {}: {} rows, {} batches of {} per epoch, {}", spec,
        train.source(), train.rows(), batchesPerEpoch, batch, config);

    float[] params;
    double seconds;
    try (Tensor data = backend.allocate(train.rows(), train.dim());
        IntTensor rows = backend.allocateInts(batch);
        IntTensor labels = backend.allocateInts(batch);
        Tensor xb = backend.allocate(batch, train.dim());
        Tensor gradY = backend.allocate(batch, spec.outputDim());
        TripletLossWorkspace ws = backend.allocateTripletLossWorkspace(batch);
        EmbeddingNetwork net = new EmbeddingNetwork(backend, spec, batch);
        Optimizer opt = config.optimizer().create(backend, (int) spec.parameterCount())) {
      backend.upload(x, 0, data);
      net.setParameters(Initializer.heUniform(spec,
          SplitMix64.derive(config.seed(), INIT_STREAM)));
      events.onStart(config.epochs(), batchesPerEpoch, batch);

      long start = System.nanoTime();
      long step = 0;
      for (int epoch = 1; epoch <= config.epochs(); epoch++) {
        long epochStart = System.nanoTime();
        double lossSum = 0;
        double activeSum = 0;
        double posSum = 0;
        double negSum = 0;
        for (int b = 1; b <= batchesPerEpoch; b++) {
          sampler.next(rowsHost, labelsHost);
          backend.upload(rowsHost, 0, rows);
          backend.upload(labelsHost, 0, labels);
          backend.gatherRows(data, rows, xb);

          Tensor y = net.forward(xb);
          LossStats stats = backend.tripletLoss(y, labels, config.loss(), gradY, ws);
          if (!Double.isFinite(stats.loss()) || !Double.isFinite(stats.meanPositive())
              || !Double.isFinite(stats.meanNegative())) {
            throw new TrainingDivergedException(epoch, b, "the loss is " + stats.loss()
                + " (mean d(a,p) " + stats.meanPositive() + ", mean d(a,n) "
                + stats.meanNegative() + ")");
          }
          net.backward(xb, gradY);
          double gradNorm = Math.sqrt(backend.sumOfSquares(net.gradients()));
          if (!Double.isFinite(gradNorm)) {
            throw new TrainingDivergedException(epoch, b, "the gradient norm is " + gradNorm);
          }
          opt.step(net.parameters(), net.gradients());

          step++;
          BatchStats bs = new BatchStats(epoch, b, step, stats, gradNorm,
              (System.nanoTime() - start) / 1e9);
          history.add(bs);
          lossSum += stats.loss();
          activeSum += stats.activeFraction();
          posSum += stats.meanPositive();
          negSum += stats.meanNegative();
          events.onBatch(bs);
        }
        backend.synchronize();
        double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
        int n = Math.max(1, batchesPerEpoch);
        EpochStats es = new EpochStats(epoch, lossSum / n, activeSum / n, posSum / n,
            negSum / n, epochSeconds > 0 ? (double) batchesPerEpoch * batch / epochSeconds : 0);
        epochs.add(es);
        log.debug("epoch {}: {}", epoch, es);
        events.onEpoch(es);
      }
      backend.synchronize();
      seconds = (System.nanoTime() - start) / 1e9;
      params = net.getParameters();
    }

    EmbeddingModel model = new EmbeddingModel(spec, params, transform, metadata(train));
    long samples = (long) config.epochs() * batchesPerEpoch * batch;
    return new TrainResult(model, List.copyOf(history), List.copyOf(epochs), seconds, samples);
  }

  private Map<String, String> metadata(Dataset train) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("mining", config.loss().mining().id());
    m.put("margin", Float.toString(config.loss().margin()));
    m.put("reduction", config.loss().reduction().id());
    m.put("classes_per_batch", Integer.toString(config.classesPerBatch()));
    m.put("per_class", Integer.toString(config.perClass()));
    m.put("epochs", Integer.toString(config.epochs()));
    m.put("optimizer", config.optimizer().kind().toString());
    m.put("lr", Float.toString(config.optimizer().learningRate()));
    m.put("momentum", Float.toString(config.optimizer().momentum()));
    m.put("weight_decay", Float.toString(config.optimizer().weightDecay()));
    m.put("seed", Long.toString(config.seed()));
    m.put("device", backend.name());
    m.put("train_data", train.source());
    m.put("train_rows", Integer.toString(train.rows()));
    m.put("classes", String.join(",", train.classNames()));
    return m;
  }
}
