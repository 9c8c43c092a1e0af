package dev.tripletcuda.nn;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.io.InvalidDataException;
import dev.tripletcuda.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
 * tensors the inputs are used as they are. Tensors with other names are ignored; a layer
 * tensor beyond a missing layer, a weight that is not finite, or a {@code normalize} other than
 * true or false makes the file invalid.
 */
public final class ModelFile {

  /** The value of the {@code format} metadata entry. */
  public static final String FORMAT = "tripletcuda-embedding-v1";

  /** Names of layer tensors: layers.L.weight and layers.L.bias. */
  private static final Pattern LAYER_TENSOR = Pattern.compile("layers\\.\\d+\\.(weight|bias)");

  private ModelFile() {}

  /** Writes the model atomically: a crash leaves the old file or none, never half of one. */
  public static void save(EmbeddingModel model, Path path) throws IOException {
    requireNonNull("model", model);
    requireNonNull("path", path);
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
    requireNonNull("path", path);
    return read(path.toString(), SafeTensors.read(path));
  }

  /** The model held by a safetensors file's contents. */
  static EmbeddingModel read(String name, SafeTensors.Contents c) {
    Map<String, SafeTensors.Entry> t = c.tensors();
    Map<String, String> meta = new LinkedHashMap<>(c.metadata());

    // Layers: layers.0 ... layers.(L-1), shapes chained.
    List<SafeTensors.Entry> weights = new ArrayList<>();
    List<SafeTensors.Entry> biases = new ArrayList<>();
    for (Map.Entry<String, SafeTensors.Entry> e : t.entrySet()) {
      if (e.getValue().values() == null) {
        throw new InvalidDataException(name, "tensor " + InvalidDataException.quote(e.getKey()),
            "dtype " + e.getValue().dtype() + ", expected F32");
      }
    }
    for (int l = 0; t.containsKey("layers." + l + ".weight"); l++) {
      SafeTensors.Entry w = t.get("layers." + l + ".weight");
      SafeTensors.Entry b = t.get("layers." + l + ".bias");
      if (w.shape().length != 2 || w.shape()[0] < 1 || w.shape()[1] < 1) {
        throw new InvalidDataException(name, "tensor 'layers." + l + ".weight'", "shape "
            + Arrays.toString(w.shape()) + ", expected (out, in) with sizes >= 1");
      }
      if (b == null || b.shape().length != 1 || b.shape()[0] != w.shape()[0]) {
        throw new InvalidDataException(name, "tensor 'layers." + l + ".bias'",
            b == null ? "missing" : "shape " + Arrays.toString(b.shape())
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
          + "embedding model (tensors: " + InvalidDataException.quote(String.join(", ",
              t.keySet())) + ")");
    }
    for (String key : t.keySet()) {
      if (LAYER_TENSOR.matcher(key).matches() && !isLayerTensor(key, weights.size())) {
        throw new InvalidDataException(name, "tensor " + InvalidDataException.quote(key),
            "does not belong to layers 0.." + (weights.size() - 1) + " (is a layer missing?)");
      }
    }
    int inputDim = (int) weights.get(0).shape()[1];
    int[] layers = weights.stream().mapToInt(w -> (int) w.shape()[0]).toArray();
    String norm = meta.getOrDefault("normalize", "true");
    if (!norm.equals("true") && !norm.equals("false")) {
      throw new InvalidDataException(name, "metadata 'normalize'", "is "
          + InvalidDataException.quote(norm) + ", expected true or false");
    }
    NetworkSpec spec;
    try {
      spec = new NetworkSpec(inputDim, layers, norm.equals("true"));
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(name, null, e.getMessage());
    }
    String arch = meta.get("architecture");
    if (arch != null && !arch.equals(spec.describe())) {
      throw new InvalidDataException(name, "metadata 'architecture'", "says "
          + InvalidDataException.quote(arch) + " but the weights are " + spec.describe());
    }

    float[] params = new float[(int) spec.parameterCount()];
    for (int l = 0; l < spec.depth(); l++) {
      float[] w = requireFinite(name, "layers." + l + ".weight", weights.get(l).values());
      float[] b = requireFinite(name, "layers." + l + ".bias", biases.get(l).values());
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

  private static boolean isLayerTensor(String key, int depth) {
    for (int l = 0; l < depth; l++) {
      if (key.equals("layers." + l + ".weight") || key.equals("layers." + l + ".bias")) {
        return true;
      }
    }
    return false;
  }

  /** Weights must be finite: a NaN would turn every embedding into NaN. */
  private static float[] requireFinite(String name, String tensor, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new InvalidDataException(name, "tensor '" + tensor + "'", "value " + i + " is "
            + values[i] + ", expected finite weights");
      }
    }
    return values;
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
