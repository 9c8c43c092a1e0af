package dev.tripletcuda.train;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.DeviceUnavailableException;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * <p>On the CPU the same seed gives the same weights, whatever the number of threads, and a run
 * resumed from a checkpoint ends with exactly the weights of one that was not interrupted.
 * Training is single-threaded from the caller's view: one {@code fit} at a time per backend.
 *
 * <p>Faults: a loss or gradient that stops being finite ends the run before the faulty update,
 * naming the batch and the last good checkpoint; an embedding that collapses (positive and
 * negative distances both near zero for {@link #COLLAPSE_WINDOW} batches) is reported once as a
 * warning, with what to try.
 */
public final class Trainer {

  private static final Logger log = LoggerFactory.getLogger(Trainer.class);

  /** Seed tags: independent random streams for the initial weights and the batches. */
  static final long INIT_STREAM = 1;
  static final long SAMPLER_STREAM = 2;

  /** Consecutive collapsed batches before the warning. */
  public static final int COLLAPSE_WINDOW = 50;

  private final Backend backend;
  private final TrainConfig config;
  private Path checkpointPath;
  private int checkpointEvery;
  private Checkpoint resume;

  public Trainer(Backend backend, TrainConfig config) {
    this.backend = requireNonNull("backend", backend);
    this.config = requireNonNull("config", config);
  }

  /**
   * Writes a checkpoint to {@code path} (atomically, replacing the last) every {@code every}
   * batches.
   */
  public Trainer checkpointEvery(int every, Path path) {
    if (every < 1) {
      throw new IllegalArgumentException("checkpoint interval=" + every
          + " batches, expected >= 1");
    }
    this.checkpointEvery = every;
    this.checkpointPath = requireNonNull("path", path);
    return this;
  }

  /**
   * Continues from a checkpoint instead of starting afresh. Its settings must equal this
   * trainer's, the number of epochs aside (a run may be extended), and it must have been taken
   * on the same training data.
   */
  public Trainer resumeFrom(Checkpoint checkpoint) {
    this.resume = requireNonNull("checkpoint", checkpoint);
    return this;
  }

  /**
   * Trains on a dataset of raw values; the input transform is fitted on it and stored in the
   * model.
   *
   * @throws IllegalArgumentException when the data cannot form batches (too few classes, or a
   *     class smaller than the samples per class; the message suggests settings that work), or
   *     when a checkpoint to resume from does not fit this data or these settings
   * @throws TrainingDivergedException when the loss or the gradient stops being finite
   * @throws TrainingDeviceFailureException when the device fails while training runs
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
    long fingerprint = Checkpoint.fingerprint(train.features(), train.labels());
    if (resume != null) {
      checkResumable(resume, spec, fingerprint);
      transform = resume.input();
      sampler.restoreState(resume.samplerState());
    }
    float[] x = transform.apply(train);

    int batch = config.batchSize();
    int batchesPerEpoch = train.rows() / batch;
    int[] rowsHost = new int[batch];
    int[] labelsHost = new int[batch];
    List<BatchStats> history = new ArrayList<>();
    List<EpochStats> epochs = new ArrayList<>(config.epochs());
    List<String> warnings = new ArrayList<>();
    log.info("training {} on {}: {} rows, {} batches of {} per epoch, {}", spec,
        train.source(), train.rows(), batchesPerEpoch, batch, config);

    float[] params;
    double seconds;
    long samples = 0;
    try (Tensor data = backend.allocate(train.rows(), train.dim());
        IntTensor rows = backend.allocateInts(batch);
        IntTensor labels = backend.allocateInts(batch);
        Tensor xb = backend.allocate(batch, train.dim());
        Tensor gradY = backend.allocate(batch, spec.outputDim());
        TripletLossWorkspace ws = backend.allocateTripletLossWorkspace(batch);
        EmbeddingNetwork net = new EmbeddingNetwork(backend, spec, batch);
        Optimizer opt = config.optimizer().create(backend, (int) spec.parameterCount())) {
      backend.upload(x, 0, data);
      int firstEpoch = 1;
      int skip = 0;
      long step = 0;
      if (resume == null) {
        net.setParameters(Initializer.fanInUniform(spec,
            SplitMix64.derive(config.seed(), INIT_STREAM)));
      } else {
        restore(resume, net, opt);
        history.addAll(resume.history());
        firstEpoch = resume.epoch();
        skip = resume.batch();
        step = resume.step();
        log.info("resuming at epoch {}, batch {} (step {})", firstEpoch, skip + 1, step + 1);
      }
      events.onStart(config.epochs(), batchesPerEpoch, batch);

      String lastCheckpoint = null;
      int collapsed = 0;
      int epoch = firstEpoch;
      int b = skip;
      long start = System.nanoTime();
      try {
        for (epoch = firstEpoch; epoch <= config.epochs(); epoch++) {
          long epochStart = System.nanoTime();
          int first = epoch == firstEpoch ? skip + 1 : 1;
          for (b = first; b <= batchesPerEpoch; b++) {
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
                  + stats.meanNegative() + ")", lastCheckpoint);
            }
            net.backward(xb, gradY);
            double gradNorm = Math.sqrt(backend.sumOfSquares(net.gradients()));
            if (!Double.isFinite(gradNorm)) {
              throw new TrainingDivergedException(epoch, b, "the gradient norm is " + gradNorm,
                  lastCheckpoint);
            }
            opt.step(net.parameters(), net.gradients());

            step++;
            samples += batch;
            BatchStats bs = new BatchStats(epoch, b, step, stats, gradNorm,
                (System.nanoTime() - start) / 1e9);
            history.add(bs);
            if (checkpointPath != null && step % checkpointEvery == 0) {
              lastCheckpoint = writeCheckpoint(net, opt, sampler, transform, spec, fingerprint,
                  epoch, b, batchesPerEpoch, step, history);
            }
            events.onBatch(bs);

            collapsed = collapsing(stats) ? collapsed + 1 : 0;
            if (collapsed == COLLAPSE_WINDOW) {
              String w = collapseWarning(stats);
              log.warn(w);
              warnings.add(w);
              events.onWarning(w);
            }
          }
          backend.synchronize();
          double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
          EpochStats es = epochStats(epoch, history, (batchesPerEpoch - first + 1) * batch,
              epochSeconds);
          epochs.add(es);
          log.debug("epoch {}: {}", epoch, es);
          events.onEpoch(es);
        }
        backend.synchronize();
        seconds = (System.nanoTime() - start) / 1e9;
        params = net.getParameters();
      } catch (DeviceUnavailableException e) {
        // The device failed under a running training: stop as on divergence, keeping the
        // last checkpoint, rather than report it as a device that could not be opened.
        throw new TrainingDeviceFailureException(Math.min(epoch, config.epochs()),
            Math.max(1, Math.min(b, batchesPerEpoch)), e.getMessage(), lastCheckpoint, e);
      }
    }

    Map<String, String> meta = config.toMetadata();
    meta.put("device", backend.name());
    meta.put("train_data", train.source());
    meta.put("train_rows", Integer.toString(train.rows()));
    EmbeddingModel model = new EmbeddingModel(spec, params, transform, meta);
    return new TrainResult(model, List.copyOf(history), List.copyOf(epochs), seconds, samples,
        List.copyOf(warnings));
  }

  private void checkResumable(Checkpoint c, NetworkSpec spec, long fingerprint) {
    if (!c.config().sameTrainingAs(config)) {
      throw new IllegalArgumentException("the checkpoint was written with other settings ("
          + c.config() + ") than these (" + config + ")");
    }
    if (!c.spec().equals(spec)) {
      throw new IllegalArgumentException("the checkpoint's network is " + c.spec()
          + ", this data needs " + spec);
    }
    if (c.dataFingerprint() != fingerprint) {
      throw new IllegalArgumentException("the checkpoint was written for other training data "
          + "(fingerprint " + Long.toHexString(c.dataFingerprint()) + ", this data "
          + Long.toHexString(fingerprint) + ")");
    }
    if (c.epoch() > config.epochs() + 1) {
      throw new IllegalArgumentException("the checkpoint is at epoch " + c.epoch()
          + ", beyond the " + config.epochs() + " epochs asked for");
    }
  }

  private void restore(Checkpoint c, EmbeddingNetwork net, Optimizer opt) {
    net.setParameters(c.params());
    List<Tensor> state = opt.state();
    if (state.size() != c.optimizerState().size()) {
      throw new IllegalArgumentException("the checkpoint holds " + c.optimizerState().size()
          + " optimiser buffers, " + config.optimizer().kind() + " has " + state.size());
    }
    for (int i = 0; i < state.size(); i++) {
      backend.upload(c.optimizerState().get(i), 0, state.get(i));
    }
    opt.setSteps(c.optimizerSteps());
  }

  private String writeCheckpoint(EmbeddingNetwork net, Optimizer opt, PkSampler sampler,
      InputTransform transform, NetworkSpec spec, long fingerprint, int epoch, int b,
      int batchesPerEpoch, long step, List<BatchStats> history) {
    float[] params = net.getParameters();
    List<float[]> state = new ArrayList<>();
    for (Tensor t : opt.state()) {
      float[] v = new float[(int) t.size()];
      backend.download(t, v, 0);
      state.add(v);
    }
    // The position of the next batch: the end of an epoch continues with the next one.
    int nextEpoch = b == batchesPerEpoch ? epoch + 1 : epoch;
    int done = b == batchesPerEpoch ? 0 : b;
    Checkpoint c = new Checkpoint(config, spec, transform, params, state, opt.steps(),
        sampler.saveState(), nextEpoch, done, step, fingerprint, List.copyOf(history));
    try {
      c.save(checkpointPath);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + checkpointPath + ": "
          + e.getMessage(), e);
    }
    String where = String.format(Locale.ROOT, "%s (epoch %d, batch %d)", checkpointPath,
        epoch, b);
    log.debug("checkpoint written: {}", where);
    return where;
  }

  /** Both mean distances near zero and near each other: everything maps to about one point. */
  private boolean collapsing(LossStats s) {
    double scale = Math.max(0.1 * config.loss().margin(), 1e-3);
    return s.triplets() > 0 && s.meanNegative() < scale
        && Math.abs(s.meanNegative() - s.meanPositive()) < scale;
  }

  private String collapseWarning(LossStats s) {
    return String.format(Locale.ROOT, "the embedding is collapsing: for %d batches the mean "
        + "d(a,p) and d(a,n) have stayed near zero and equal (now %.4g and %.4g, margin %s), "
        + "so everything maps to nearly one point; try a lower --lr, --mining batch-all or "
        + "semi-hard, or a larger --margin", COLLAPSE_WINDOW, s.meanPositive(),
        s.meanNegative(), config.loss().margin());
  }

  private static EpochStats epochStats(int epoch, List<BatchStats> history, long samples,
      double seconds) {
    double loss = 0;
    double active = 0;
    double pos = 0;
    double neg = 0;
    int n = 0;
    for (int i = history.size() - 1; i >= 0 && history.get(i).epoch() == epoch; i--) {
      LossStats s = history.get(i).loss();
      loss += s.loss();
      active += s.activeFraction();
      pos += s.meanPositive();
      neg += s.meanNegative();
      n++;
    }
    n = Math.max(n, 1);
    return new EpochStats(epoch, loss / n, active / n, pos / n, neg / n,
        seconds > 0 ? samples / seconds : 0);
  }
}
