package dev.tripletcuda.nn;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.io.Dataset;

/**
 * A model bound to a backend: turns samples into embeddings (N, D), D the model's output size.
 *
 * <p>Thread safety: {@link #embed} may be called from many threads at once. Each call holds the
 * backend's monitor ({@code synchronized (backend)}) while it runs, the convention every class
 * sharing a backend follows, so calls on one backend take turns; use one backend per thread to
 * embed in parallel.
 */
public final class Embedder {

  private final EmbeddingModel model;
  private final Backend backend;

  public Embedder(EmbeddingModel model, Backend backend) {
    this.model = requireNonNull("model", model);
    this.backend = requireNonNull("backend", backend);
  }

  public EmbeddingModel model() {
    return model;
  }

  public Backend backend() {
    return backend;
  }

  /** Embedding size D. */
  public int dim() {
    return model.spec().outputDim();
  }

  /**
   * Embeddings (rows, D) of a dataset's rows.
   *
   * @throws IllegalArgumentException when the rows' feature count is not the model's input size
   */
  public float[] embed(Dataset data) {
    requireNonNull("data", data);
    synchronized (backend) {
      return model.embed(backend, data);
    }
  }

  /**
   * Embeddings (rows, D) of raw rows (rows, inputDim) as read from files.
   *
   * @throws IllegalArgumentException when raw does not hold rows x inputDim values
   */
  public float[] embed(float[] raw, int rows) {
    requireNonNull("raw", raw);
    int in = model.spec().inputDim();
    if (rows < 0 || raw.length != (long) rows * in) {
      throw new IllegalArgumentException("raw has " + raw.length + " values, expected rows ("
          + rows + ") x the model's input size (" + in + ")");
    }
    synchronized (backend) {
      return model.embed(backend, raw, rows);
    }
  }
}
