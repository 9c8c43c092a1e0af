package dev.tripletcuda.nn;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.io.InputTransform;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained embedding model held on the host: the network's shape and flat parameters, the
 * input transform fitted on its training data, and free-form metadata (training settings,
 * calibration). Immutable and safe to share between threads; {@link #embed} runs on whichever
 * backend it is given.
 */
public final class EmbeddingModel {

  /** Rows embedded per forward pass by {@link #embed}. */
  private static final int CHUNK = 2048;

  private final NetworkSpec spec;
  private final float[] parameters;
  private final InputTransform input;
  private final Map<String, String> metadata;

  public EmbeddingModel(NetworkSpec spec, float[] parameters, InputTransform input,
      Map<String, String> metadata) {
    this.spec = requireNonNull("spec", spec);
    requireNonNull("parameters", parameters);
    this.input = requireNonNull("input", input);
    if (parameters.length != spec.parameterCount()) {
      throw new IllegalArgumentException("parameters has " + parameters.length
          + " values, network " + spec.describe() + " has " + spec.parameterCount());
    }
    if (input.dim() != spec.inputDim()) {
      throw new IllegalArgumentException("input transform has " + input.dim()
          + " features, network " + spec.describe() + " takes " + spec.inputDim());
    }
    this.parameters = parameters.clone();
    Map<String, String> meta = new LinkedHashMap<>();
    if (metadata != null) {
      metadata.forEach((k, v) -> {
        if (k == null || v == null) {
          throw new IllegalArgumentException("metadata entry " + k + "=" + v
              + ", expected a string key and a string value");
        }
        meta.put(k, v);
      });
    }
    this.metadata = Collections.unmodifiableMap(meta);
  }

  public NetworkSpec spec() {
    return spec;
  }

  /** A copy of the flat parameters, layout as in {@link NetworkSpec}. */
  public float[] parameters() {
    return parameters.clone();
  }

  public InputTransform input() {
    return input;
  }

  /** Training settings and other facts stored with the weights; unmodifiable. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The same model with more metadata entries (replacing equal keys). */
  public EmbeddingModel withMetadata(Map<String, String> extra) {
    requireNonNull("extra", extra);
    Map<String, String> m = new LinkedHashMap<>(metadata);
    m.putAll(extra);
    return new EmbeddingModel(spec, parameters, input, m);
  }

  /**
   * 16 hex digits of the SHA-256 of the shape, the parameters and the input transform: equal
   * for equal models, so that stored embeddings can be checked against the model at hand.
   */
  public String fingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(spec.toString().getBytes(StandardCharsets.UTF_8));
      ByteBuffer buf = ByteBuffer.allocate(4 * (parameters.length + 2 * input.dim()));
      buf.asFloatBuffer().put(parameters).put(input.offset()).put(input.scale());
      sha.update(buf);
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }

  /** Embeddings (rows, D) of a dataset's rows. */
  public float[] embed(Backend backend, Dataset data) {
    requireNonNull("data", data);
    if (data.dim() != spec.inputDim()) {
      throw new IllegalArgumentException(data.source() + " has " + data.dim()
          + " features per row, the model takes " + spec.inputDim());
    }
    return embed(backend, data.features(), data.rows());
  }

  /**
   * Embeddings (rows, D) of raw rows (rows, inputDim) as read from files; the model's input
   * transform is applied first.
   */
  public float[] embed(Backend backend, float[] raw, int rows) {
    requireNonNull("backend", backend);
    requireNonNull("raw", raw);
    float[] x = input.apply(raw, rows);
    int d = spec.outputDim();
    float[] out = new float[rows * d];
    if (rows == 0) {
      return out;
    }
    int chunk = Math.min(rows, CHUNK);
    int in = spec.inputDim();
    try (EmbeddingNetwork net = new EmbeddingNetwork(backend, spec, chunk);
        Tensor xs = backend.allocate(chunk, in)) {
      net.setParameters(parameters);
      for (int start = 0; start < rows; start += chunk) {
        int count = Math.min(chunk, rows - start);
        Tensor xv = xs.rows(0, count);
        backend.upload(x, start * in, xv);
        backend.download(net.forward(xv), out, start * d);
      }
    }
    return out;
  }
}
