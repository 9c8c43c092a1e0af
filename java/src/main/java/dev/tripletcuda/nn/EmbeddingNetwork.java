package dev.tripletcuda.nn;

import static dev.tripletcuda.backend.Shapes.require;
import static dev.tripletcuda.backend.Shapes.requireNonNull;
import static dev.tripletcuda.backend.Shapes.requireRows;

import dev.tripletcuda.backend.Activation;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Tensor;

/**
 * A dense embedding network living on one backend: its flat parameter and gradient buffers,
 * and the activations of one batch of up to {@code maxBatch} rows, all allocated once.
 *
 * <p>Forward, layer l: z_l (B, out_l) = a_{l-1} W_l^T + b_l, a_l = relu(z_l) except on the last
 * layer; then y = a_L / ||a_L|| row by row when the spec normalises. Backward runs the same
 * steps in reverse and writes dLoss/dParams into {@link #gradients()}.
 *
 * <p>Not thread-safe: one batch at a time.
 */
public final class EmbeddingNetwork implements AutoCloseable {

  private final Backend backend;
  private final NetworkSpec spec;
  private final int maxBatch;

  /** (P, 1) all parameters, layer by layer: weight (out, in), then bias (out). */
  private final Tensor params;
  /** (P, 1) dLoss/dParams, same layout. */
  private final Tensor grads;
  private final Tensor[] weights;
  private final Tensor[] biases;
  private final Tensor[] weightGrads;
  private final Tensor[] biasGrads;

  /** (maxBatch, out_l): the activations a_l (z_l for the last layer). */
  private final Tensor[] acts;
  /** (maxBatch, out_l): dLoss/dz_l. */
  private final Tensor[] deltas;
  /** (maxBatch, D): the normalised output, when the spec normalises. */
  private final Tensor normalized;
  /** (maxBatch, 1): the output norms before normalisation. */
  private final Tensor norms;

  /** Allocates the buffers; the parameters start at zero until {@link #setParameters}. */
  public EmbeddingNetwork(Backend backend, NetworkSpec spec, int maxBatch) {
    this.backend = requireNonNull("backend", backend);
    this.spec = requireNonNull("spec", spec);
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch=" + maxBatch + ", expected >= 1");
    }
    this.maxBatch = maxBatch;
    int depth = spec.depth();
    long count = spec.parameterCount();
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("network " + spec.describe() + " has " + count
          + " parameters, more than one buffer holds (2^31 - 9)");
    }
    params = backend.allocate((int) count, 1);
    grads = backend.allocate((int) count, 1);
    weights = new Tensor[depth];
    biases = new Tensor[depth];
    weightGrads = new Tensor[depth];
    biasGrads = new Tensor[depth];
    acts = new Tensor[depth];
    deltas = new Tensor[depth];
    for (int l = 0; l < depth; l++) {
      int in = spec.in(l);
      int out = spec.out(l);
      weights[l] = params.view(spec.weightOffset(l), out, in);
      biases[l] = params.view(spec.biasOffset(l), out, 1);
      weightGrads[l] = grads.view(spec.weightOffset(l), out, in);
      biasGrads[l] = grads.view(spec.biasOffset(l), out, 1);
      acts[l] = backend.allocate(maxBatch, out);
      deltas[l] = backend.allocate(maxBatch, out);
    }
    normalized = spec.normalize() ? backend.allocate(maxBatch, spec.outputDim()) : null;
    norms = spec.normalize() ? backend.allocate(maxBatch, 1) : null;
  }

  public NetworkSpec spec() {
    return spec;
  }

  public Backend backend() {
    return backend;
  }

  /** The largest batch forward and backward accept. */
  public int maxBatch() {
    return maxBatch;
  }

  /** (P, 1) the parameters, for the optimiser. */
  public Tensor parameters() {
    return params;
  }

  /** (P, 1) the gradient of the last backward pass. */
  public Tensor gradients() {
    return grads;
  }

  /** Copies host parameters (P) in, layout as in {@link NetworkSpec}. */
  public void setParameters(float[] values) {
    requireNonNull("values", values);
    if (values.length != params.size()) {
      throw new IllegalArgumentException("values has " + values.length
          + " parameters, network " + spec.describe() + " expects " + params.size());
    }
    backend.upload(values, 0, params);
  }

  /** The parameters (P) copied to the host. */
  public float[] getParameters() {
    float[] values = new float[(int) params.size()];
    backend.download(params, values, 0);
    return values;
  }

  /**
   * Forward pass of one batch, keeping the activations for {@link #backward}.
   *
   * @param x (B, inputDim), B &lt;= maxBatch
   * @return (B, D) the embeddings, a view valid until the next forward pass
   */
  public Tensor forward(Tensor x) {
    requireNonNull("x", x);
    int b = x.rows();
    if (b > maxBatch || b < 1) {
      throw new IllegalArgumentException("batch of " + b + " rows, expected 1.." + maxBatch);
    }
    require("x", x, b, spec.inputDim());
    Tensor input = x;
    int last = spec.depth() - 1;
    for (int l = 0; l <= last; l++) {
      Tensor z = acts[l].rows(0, b);
      backend.gemm(false, true, 1f, input, weights[l], 0f, z);
      backend.biasActivation(z, biases[l], l == last ? Activation.IDENTITY : Activation.RELU);
      input = z;
    }
    if (!spec.normalize()) {
      return input;
    }
    Tensor y = normalized.rows(0, b);
    backend.l2NormalizeRows(input, y, norms.rows(0, b));
    return y;
  }

  /**
   * Backward pass of the batch last given to {@link #forward}: writes dLoss/dParams.
   *
   * @param x (B, inputDim) the same input
   * @param gradY (B, D) dLoss/dEmbeddings
   */
  public void backward(Tensor x, Tensor gradY) {
    requireNonNull("x", x);
    int b = x.rows();
    require("gradY", gradY, b, spec.outputDim());
    int last = spec.depth() - 1;
    Tensor delta = deltas[last].rows(0, b);
    if (spec.normalize()) {
      backend.l2NormalizeRowsBackward(normalized.rows(0, b), norms.rows(0, b), gradY, delta);
    } else {
      backend.copy(gradY, delta);
    }
    for (int l = last; l >= 0; l--) {
      Tensor input = l == 0 ? x : acts[l - 1].rows(0, b);
      // dW (out, in) = delta^T input; db = column sums of delta.
      backend.gemm(true, false, 1f, delta, input, 0f, weightGrads[l]);
      backend.columnSums(delta, biasGrads[l]);
      if (l > 0) {
        // d input (B, in) = delta W, then through the ReLU of layer l-1.
        Tensor prev = deltas[l - 1].rows(0, b);
        backend.gemm(false, false, 1f, delta, weights[l], 0f, prev);
        backend.reluBackward(prev, acts[l - 1].rows(0, b));
        delta = prev;
      }
    }
  }

  /**
   * Embeds any number of rows, maxBatch at a time, without touching the gradients.
   *
   * @param x (N, inputDim)
   * @param out (N, D)
   */
  public void embed(Tensor x, Tensor out) {
    requireNonNull("x", x);
    requireRows("out", out, x.rows());
    require("out", out, x.rows(), spec.outputDim());
    for (int start = 0; start < x.rows(); start += maxBatch) {
      int count = Math.min(maxBatch, x.rows() - start);
      Tensor y = forward(x.rows(start, count));
      backend.copy(y, out.rows(start, count));
    }
  }

  @Override
  public void close() {
    params.close();
    grads.close();
    for (int l = 0; l < spec.depth(); l++) {
      acts[l].close();
      deltas[l].close();
    }
    if (normalized != null) {
      normalized.close();
      norms.close();
    }
  }
}
