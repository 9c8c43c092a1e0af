package dev.tripletcuda.nn;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The shape of a dense embedding network: {@code inputDim} inputs, then one dense layer per
 * entry of {@code layers} (the last one is the embedding size), ReLU between layers, and an
 * optional L2 normalisation of the output.
 *
 * <p>Parameters live in one flat buffer, layer by layer: the weight (out, in) row-major as in
 * PyTorch's {@code nn.Linear}, then the bias (out).
 */
public record NetworkSpec(int inputDim, int[] layers, boolean normalize) {

  /** The default hidden and output sizes. */
  public static final int[] DEFAULT_LAYERS = {256, 128};

  public NetworkSpec {
    if (inputDim < 1) {
      throw new IllegalArgumentException("inputDim=" + inputDim + ", expected >= 1");
    }
    if (layers == null || layers.length == 0) {
      throw new IllegalArgumentException("layers is empty, expected at least one layer size");
    }
    for (int i = 0; i < layers.length; i++) {
      if (layers[i] < 1) {
        throw new IllegalArgumentException("layers[" + i + "]=" + layers[i]
            + ", expected a layer size >= 1");
      }
    }
    layers = layers.clone();
  }

  @Override
  public int[] layers() {
    return layers.clone();
  }

  /** Number of dense layers. */
  public int depth() {
    return layers.length;
  }

  /** The embedding size: the width of the last layer. */
  public int outputDim() {
    return layers[layers.length - 1];
  }

  /** Inputs of layer l. */
  public int in(int l) {
    checkLayer(l, layers.length - 1);
    return l == 0 ? inputDim : layers[l - 1];
  }

  /** Outputs of layer l. */
  public int out(int l) {
    checkLayer(l, layers.length - 1);
    return layers[l];
  }

  /** Offset of layer l's weight in the flat parameter buffer; l = depth gives the total. */
  public long weightOffset(int l) {
    checkLayer(l, layers.length);
    long offset = 0;
    for (int i = 0; i < l; i++) {
      offset += (long) in(i) * out(i) + out(i);
    }
    return offset;
  }

  /** Offset of layer l's bias in the flat parameter buffer. */
  public long biasOffset(int l) {
    checkLayer(l, layers.length - 1);
    return weightOffset(l) + (long) in(l) * out(l);
  }

  private static void checkLayer(int l, int last) {
    if (l < 0 || l > last) {
      throw new IllegalArgumentException("layer=" + l + ", expected 0.." + last);
    }
  }

  /** Total parameter count. */
  public long parameterCount() {
    return weightOffset(layers.length);
  }

  /** "784-256-128", as written in logs and model files. */
  public String describe() {
    return inputDim + "-" + Arrays.stream(layers).mapToObj(Integer::toString)
        .collect(Collectors.joining("-"));
  }

  /** Parses "256,128" into layer sizes, naming the bad entry on failure. */
  public static int[] parseLayers(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("layers='" + text
          + "', expected comma-separated sizes such as 256,128");
    }
    String[] parts = text.split(",");
    int[] sizes = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        sizes[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("layers='" + text + "': entry " + (i + 1) + " '"
            + parts[i].trim() + "' is not a whole number");
      }
      if (sizes[i] < 1) {
        throw new IllegalArgumentException("layers='" + text + "': entry " + (i + 1) + " is "
            + sizes[i] + ", expected a layer size >= 1");
      }
    }
    return sizes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkSpec s && s.inputDim == inputDim && s.normalize == normalize
        && Arrays.equals(s.layers, layers);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * inputDim + Arrays.hashCode(layers)) + Boolean.hashCode(normalize);
  }

  @Override
  public String toString() {
    return describe() + (normalize ? ", L2-normalised" : "");
  }
}
