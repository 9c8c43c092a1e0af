package dev.tripletcuda.train;

import dev.tripletcuda.backend.Shapes;
import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.io.InvalidDataException;
import dev.tripletcuda.io.SafeTensors;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.nn.NetworkSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a training run needs to continue exactly where it stopped, taken at a batch
 * boundary: the settings, the parameters, the optimiser's state and step count, the sampler's
 * state (its generator and orders), the input transform, the position (epoch and batch) and the
 * batch history so far. Stored as one safetensors file, written atomically.
 *
 * <p>Tensors: {@code params} (P) F32; {@code optimizer.N} (P) F32 in the optimiser's state
 * order; {@code input.offset}, {@code input.scale} (in) F32; {@code sampler} I32;
 * {@code history.stats} (steps, 5) F32 of loss, mean d(a,p), mean d(a,n), gradient norm,
 * seconds; {@code history.counts} (steps, 6) I32 of epoch, batch, then the triplet and active
 * counts as high and low words. Metadata: {@code format}, the training settings,
 * {@code architecture}, {@code epoch}, {@code batch}, {@code step}, {@code optimizer_steps},
 * {@code data_fingerprint}.
 *
 * @param epoch 1-based epoch the next batch belongs to
 * @param batch batches of that epoch already done
 * @param step batches done in all
 */
public record Checkpoint(TrainConfig config, NetworkSpec spec, InputTransform input,
    float[] params, List<float[]> optimizerState, long optimizerSteps, int[] samplerState,
    int epoch, int batch, long step, long dataFingerprint, List<BatchStats> history) {

  /** The value of the {@code format} metadata entry. */
  public static final String FORMAT = "tripletcuda-checkpoint-v1";

  /** Writes the checkpoint atomically. */
  public void save(Path path) throws IOException {
    Map<String, SafeTensors.Entry> t = new LinkedHashMap<>();
    t.put("params", new SafeTensors.Entry(new long[] {params.length}, params));
    for (int i = 0; i < optimizerState.size(); i++) {
      float[] s = optimizerState.get(i);
      t.put("optimizer." + i, new SafeTensors.Entry(new long[] {s.length}, s));
    }
    t.put("input.offset", new SafeTensors.Entry(new long[] {input.dim()}, input.offset()));
    t.put("input.scale", new SafeTensors.Entry(new long[] {input.dim()}, input.scale()));
    t.put("sampler", SafeTensors.Entry.ints(new long[] {samplerState.length}, samplerState));
    int n = history.size();
    float[] stats = new float[n * 5];
    int[] counts = new int[n * 6];
    for (int i = 0; i < n; i++) {
      BatchStats b = history.get(i);
      stats[i * 5] = (float) b.loss().loss();
      stats[i * 5 + 1] = (float) b.loss().meanPositive();
      stats[i * 5 + 2] = (float) b.loss().meanNegative();
      stats[i * 5 + 3] = (float) b.gradNorm();
      stats[i * 5 + 4] = (float) b.seconds();
      counts[i * 6] = b.epoch();
      counts[i * 6 + 1] = b.batch();
      counts[i * 6 + 2] = (int) (b.loss().triplets() >>> 32);
      counts[i * 6 + 3] = (int) b.loss().triplets();
      counts[i * 6 + 4] = (int) (b.loss().active() >>> 32);
      counts[i * 6 + 5] = (int) b.loss().active();
    }
    t.put("history.stats", new SafeTensors.Entry(new long[] {n, 5}, stats));
    t.put("history.counts", SafeTensors.Entry.ints(new long[] {n, 6}, counts));

    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.putAll(config.toMetadata());
    meta.put("architecture", spec.describe());
    meta.put("epoch", Integer.toString(epoch));
    meta.put("batch", Integer.toString(batch));
    meta.put("step", Long.toString(step));
    meta.put("optimizer_steps", Long.toString(optimizerSteps));
    meta.put("data_fingerprint", Long.toHexString(dataFingerprint));
    SafeTensors.write(path, t, meta);
  }

  /** Reads a checkpoint; a file that is not one is an {@link InvalidDataException}. */
  public static Checkpoint load(Path path) {
    Shapes.requireNonNull("path", path);
    String name = path.toString();
    SafeTensors.Contents c = SafeTensors.read(path);
    Map<String, String> m = c.metadata();
    if (!FORMAT.equals(m.get("format"))) {
      throw new InvalidDataException(name, "metadata 'format'", "is " + m.get("format")
          + ", expected " + FORMAT + " (a training checkpoint)");
    }
    try {
      TrainConfig config = TrainConfig.fromMetadata(m);
      float[] params = floats(name, c, "params");
      float[] offset = floats(name, c, "input.offset");
      NetworkSpec spec = config.network(offset.length);
      if (!spec.describe().equals(m.get("architecture"))
          || spec.parameterCount() != params.length) {
        throw new InvalidDataException(name, "metadata 'architecture'", "is "
            + m.get("architecture") + " but the tensors fit " + spec.describe());
      }
      List<float[]> state = new ArrayList<>();
      for (int i = 0; c.tensors().containsKey("optimizer." + i); i++) {
        float[] s = floats(name, c, "optimizer." + i);
        if (s.length != params.length) {
          throw new InvalidDataException(name, "tensor 'optimizer." + i + "'", "holds "
              + s.length + " values, expected " + params.length);
        }
        state.add(s);
      }
      SafeTensors.Entry sampler = c.tensors().get("sampler");
      if (sampler == null || sampler.ints() == null) {
        throw new InvalidDataException(name, "tensor 'sampler'", "missing or not I32");
      }
      float[] stats = floats(name, c, "history.stats");
      SafeTensors.Entry counts = c.tensors().get("history.counts");
      int n = stats.length / 5;
      if (counts == null || counts.ints() == null || counts.length() != 6 * n
          || stats.length != 5 * n) {
        throw new InvalidDataException(name, "tensor 'history.counts'", "does not match "
            + "'history.stats' (" + n + " batches)");
      }
      List<BatchStats> history = new ArrayList<>(n);
      int[] k = counts.ints();
      for (int i = 0; i < n; i++) {
        long triplets = ((long) k[i * 6 + 2] << 32) | (k[i * 6 + 3] & 0xFFFFFFFFL);
        long active = ((long) k[i * 6 + 4] << 32) | (k[i * 6 + 5] & 0xFFFFFFFFL);
        LossStats ls = new LossStats(stats[i * 5], triplets, active, stats[i * 5 + 1],
            stats[i * 5 + 2]);
        history.add(new BatchStats(k[i * 6], k[i * 6 + 1], i + 1, ls, stats[i * 5 + 3],
            stats[i * 5 + 4]));
      }
      return new Checkpoint(config, spec, new InputTransform(offset,
          floats(name, c, "input.scale")), params, state,
          Long.parseLong(get(m, "optimizer_steps")), sampler.ints(),
          Integer.parseInt(get(m, "epoch")), Integer.parseInt(get(m, "batch")),
          Long.parseLong(get(m, "step")), Long.parseUnsignedLong(get(m, "data_fingerprint"), 16),
          history);
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(name, null, "not a usable checkpoint: " + e.getMessage());
    }
  }

  private static String get(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("metadata '" + key + "' is missing");
    }
    return v;
  }

  private static float[] floats(String name, SafeTensors.Contents c, String key) {
    SafeTensors.Entry e = c.tensors().get(key);
    if (e == null || e.values() == null) {
      throw new InvalidDataException(name, "tensor '" + key + "'", "missing or not F32");
    }
    return e.values();
  }

  /** A 64-bit fingerprint of a dataset's values and labels, to tell data apart on resume. */
  public static long fingerprint(float[] features, int[] labels) {
    Shapes.requireNonNull("features", features);
    Shapes.requireNonNull("labels", labels);
    long h = 0xCBF29CE484222325L;
    for (float f : features) {
      h = (h ^ Float.floatToRawIntBits(f)) * 0x100000001B3L;
    }
    for (int l : labels) {
      h = (h ^ l) * 0x100000001B3L;
    }
    return h ^ features.length ^ ((long) labels.length << 32);
  }
}
