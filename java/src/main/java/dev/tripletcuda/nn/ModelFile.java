package dev.tripletcuda.nn;

import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.io.InvalidDataException;
import dev.tripletcuda.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link EmbeddingModel} as a safetensors file. Tensors, all F32:
 * <ul>
 *   <li>{@code layers.L.weight} (out, in) and {@code layers.L.bias} (out) for L = 0, 1, ...,
 *       as PyTorch's {@code nn.Linear} stores them;
 *   <li>{@code input.offset} (in) and {@code input.scale} (in): the input transform.
 * </ul>
 * Metadata (strings): {@code format} = {@value #FORMAT}, {@code architecture} such as
 * "784-256-128", {@code normalize}, then the model's own metadata (training settings,
 * calibration).
 *
 * <p>Files written elsewhere load too: without {@code architecture} the layers are read from the
 * weight shapes, without {@code normalize} the output is normalised, and without the input
 * tensors the inputs are used as they are.
 */
public final class ModelFile {

  /** The value of the {@code format} metadata entry. */
  public static final String FORMAT = "tripletcuda-embedding-v1";

  private ModelFile() {}

  /** Writes the model atomically: a crash leaves the old file or none, never half of one. */
  public static void save(EmbeddingModel model, Path path) throws IOException {
    NetworkSpec spec = model.spec();
    float[] p = model.parameters();
    Map<String, SafeTensors.Entry> tensors = new LinkedHashMap<>();
    for (int l = 0; l < spec.depth(); l++) {
      int in = spec.in(l);
      int out = spec.out(l);
      tensors.put("layers." + l + ".weight", new SafeTensors.Entry(new long[] {out, in},
          slice(p, spec.weightOffset(l), (long) out * in)));
      tensors.put("layers." + l + ".bias", new SafeTensors.Entry(new long[] {out},
          slice(p, spec.biasOffset(l), out)));
    }
    InputTransform t = model.input();
    tensors.put("input.offset", new SafeTensors.Entry(new long[] {t.dim()}, t.offset()));
    tensors.put("input.scale", new SafeTensors.Entry(new long[] {t.dim()}, t.scale()));

    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("architecture", spec.describe());
    meta.put("normalize", Boolean.toString(spec.normalize()));
    model.metadata().forEach(meta::putIfAbsent);
    SafeTensors.write(path, tensors, meta);
  }

  /** Reads a model; a file that is not one is an {@link InvalidDataException}. */
  public static EmbeddingModel load(Path path) {
    String name = path.toString();
    SafeTensors.Contents c = SafeTensors.read(path);
    Map<String, SafeTensors.Entry> t = c.tensors();
    Map<String, String> meta = new LinkedHashMap<>(c.metadata());

    // Layers: layers.0 ... layers.(L-1), shapes chained.
    List<SafeTensors.Entry> weights = new ArrayList<>();
    List<SafeTensors.Entry> biases = new ArrayList<>();
    for (Map.Entry<String, SafeTensors.Entry> e : t.entrySet()) {
      if (e.getValue().values() == null) {
        throw new InvalidDataException(name, "tensor '" + e.getKey() + "'", "dtype "
            + e.getValue().dtype() + ", expected F32");
      }
    }
    for (int l = 0; t.containsKey("layers." + l + ".weight"); l++) {
      SafeTensors.Entry w = t.get("layers." + l + ".weight");
      SafeTensors.Entry b = t.get("layers." + l + ".bias");
      if (w.shape().length != 2) {
        throw new InvalidDataException(name, "tensor 'layers." + l + ".weight'", "shape "
            + java.util.Arrays.toString(w.shape()) + ", expected (out, in)");
      }
      if (b == null || b.shape().length != 1 || b.shape()[0] != w.shape()[0]) {
        throw new InvalidDataException(name, "tensor 'layers." + l + ".bias'",
            b == null ? "missing" : "shape " + java.util.Arrays.toString(b.shape())
                + ", expected (" + w.shape()[0] + ")");
      }
      if (l > 0 && w.shape()[1] != weights.get(l - 1).shape()[0]) {
        throw new InvalidDataException(name, "tensor 'layers." + l + ".weight'", "takes "
            + w.shape()[1] + " inputs but layer " + (l - 1) + " gives "
            + weights.get(l - 1).shape()[0]);
      }
      weights.add(w);
      biases.add(b);
    }
    if (weights.isEmpty()) {
      throw new InvalidDataException(name, null, "no tensor 'layers.0.weight': not an "
          + "embedding model (tensors: " + String.join(", ", t.keySet()) + ")");
    }
    int inputDim = (int) weights.get(0).shape()[1];
    int[] layers = weights.stream().mapToInt(w -> (int) w.shape()[0]).toArray();
    boolean normalize = !"false".equalsIgnoreCase(meta.getOrDefault("normalize", "true"));
    NetworkSpec spec;
    try {
      spec = new NetworkSpec(inputDim, layers, normalize);
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(name, null, e.getMessage());
    }
    String arch = meta.get("architecture");
    if (arch != null && !arch.equals(spec.describe())) {
      throw new InvalidDataException(name, "metadata 'architecture'", "says " + arch
          + " but the weights are " + spec.describe());
    }

    float[] params = new float[(int) spec.parameterCount()];
    for (int l = 0; l < spec.depth(); l++) {
      float[] w = weights.get(l).values();
      float[] b = biases.get(l).values();
      System.arraycopy(w, 0, params, (int) spec.weightOffset(l), w.length);
      System.arraycopy(b, 0, params, (int) spec.biasOffset(l), b.length);
    }
    InputTransform input = inputTransform(name, t, inputDim);
    meta.remove("format");
    meta.remove("architecture");
    meta.remove("normalize");
    try {
      return new EmbeddingModel(spec, params, input, meta);
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(name, null, e.getMessage());
    }
  }

  private static InputTransform inputTransform(String name, Map<String, SafeTensors.Entry> t,
      int dim) {
    SafeTensors.Entry offset = t.get("input.offset");
    SafeTensors.Entry scale = t.get("input.scale");
    if (offset == null && scale == null) {
      return InputTransform.identity(dim);
    }
    for (String key : new String[] {"input.offset", "input.scale"}) {
      SafeTensors.Entry e = t.get(key);
      if (e == null || e.values().length != dim) {
        throw new InvalidDataException(name, "tensor '" + key + "'", e == null ? "missing"
            : "holds " + e.values().length + " values, the first layer takes " + dim);
      }
    }
    try {
      return new InputTransform(offset.values(), scale.values());
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(name, "tensor 'input.scale'", e.getMessage());
    }
  }

  private static float[] slice(float[] p, long offset, long count) {
    float[] out = new float[(int) count];
    System.arraycopy(p, (int) offset, out, 0, (int) count);
    return out;
  }
}
