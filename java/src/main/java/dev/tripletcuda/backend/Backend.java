package dev.tripletcuda.backend;

import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;

/**
 * Every numeric operation that training, embedding and search need, on memory the backend owns.
 * The network, the loss, the trainer and the search are written against this interface alone;
 * {@code cpu} and {@code cuda} implement it.
 *
 * <p>Conventions: matrices are row-major {@link Tensor}s; shapes are written (rows, cols) beside
 * every argument; an argument named {@code out} or {@code grad} is overwritten, all others are
 * read only unless the method says "in place". Operations may run asynchronously on a device;
 * the methods that return values to the host ({@link #download}, the loss and the reductions)
 * wait for the work before them. A backend instance is not thread-safe: callers serialise their
 * calls or hold one backend per thread.
 *
 * <p>Shape errors throw {@link IllegalArgumentException} naming the argument and both shapes.
 */
public interface Backend extends AutoCloseable {

  /** {@code cpu} or {@code cuda}. */
  String name();

  /** One line for logs and reports: the device, its threads or its memory, its libraries. */
  String description();

  // ---------------------------------------------------------------------------------------
  // Memory

  /** A new zero-filled (rows, cols) tensor. */
  Tensor allocate(int rows, int cols);

  /** A new zero-filled int vector of the given length. */
  IntTensor allocateInts(int length);

  /** Copies {@code dst.size()} floats from {@code src[srcOffset..]} into dst. */
  void upload(float[] src, int srcOffset, Tensor dst);

  /** Copies all of src into {@code dst[dstOffset..]}. */
  void download(Tensor src, float[] dst, int dstOffset);

  /** Copies {@code dst.length()} ints from {@code src[srcOffset..]} into dst. */
  void upload(int[] src, int srcOffset, IntTensor dst);

  /** Copies all of src into {@code dst[dstOffset..]}. */
  void download(IntTensor src, int[] dst, int dstOffset);

  /** Sets every element of t to value. */
  void fill(Tensor t, float value);

  /** dst = src; same shape. */
  void copy(Tensor src, Tensor dst);

  /** Buffers allocated and not yet closed (tensors and int tensors, views not counted). */
  long liveBuffers();

  /** Bytes held by {@link #liveBuffers()}. */
  long liveBytes();

  /** Waits until all work issued so far has finished. */
  void synchronize();

  /** Frees everything the backend holds; tensors it allocated must not be used afterwards. */
  @Override
  void close();

  // ---------------------------------------------------------------------------------------
  // Dense network

  /**
   * c = alpha * op(a) * op(b) + beta * c, where op(x) is x or its transpose. op(a) is (m, k),
   * op(b) is (k, n), c is (m, n). With beta == 0, c is overwritten (NaNs in c do not spread).
   */
  void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta,
      Tensor c);

  /** In place: z (B, n) = act(z + bias), bias (1, n) or (n, 1) broadcast over rows. */
  void biasActivation(Tensor z, Tensor bias, Activation act);

  /** In place: grad (B, n) = grad where activated (B, n) &gt; 0, else 0: the ReLU backward. */
  void reluBackward(Tensor grad, Tensor activated);

  /** out (n, 1) = sums of the columns of x (B, n): the bias gradient. */
  void columnSums(Tensor x, Tensor out);

  /** dst (B, D) row i = src (N, D) row idx[i]; idx (B) in [0, N). */
  void gatherRows(Tensor src, IntTensor idx, Tensor dst);

  /**
   * Row L2-normalisation: y (B, D) = x / ||x|| row by row, norms (B, 1) = max(||x||, 1e-12),
   * so that a zero row stays zero instead of turning into NaN.
   */
  void l2NormalizeRows(Tensor x, Tensor y, Tensor norms);

  /**
   * Backward of {@link #l2NormalizeRows}: gradX (B, D) = (gradY - y * (y . gradY)) / norms, row
   * by row, from its outputs y (B, D), norms (B, 1) and the upstream gradY (B, D).
   */
  void l2NormalizeRowsBackward(Tensor y, Tensor norms, Tensor gradY, Tensor gradX);

  // ---------------------------------------------------------------------------------------
  // Distances, loss and search

  /** out (n, 1) = squared L2 norm of each row of x (n, D). */
  void rowSquaredNorms(Tensor x, Tensor out);

  /**
   * out (n, m) = ||x_i||^2 + ||y_j||^2 - 2 x_i . y_j, clamped at 0, for x (n, D) and y (m, D).
   * When x and y are the same tensor the diagonal is exactly 0.
   */
  void pairwiseSquaredL2(Tensor x, Tensor y, Tensor out);

  /** Scratch memory for {@link #tripletLoss} on batches of up to {@code maxBatch} rows. */
  TripletLossWorkspace allocateTripletLossWorkspace(int maxBatch);

  /**
   * The mined triplet loss of a labelled batch, and its gradient.
   *
   * @param embeddings (B, D)
   * @param labels (B) class ids
   * @param spec mining, margin and reduction
   * @param grad (B, D) receives dLoss/dEmbeddings; null to skip the backward pass
   * @param workspace from {@link #allocateTripletLossWorkspace}, capacity &gt;= B
   * @return the loss and its counts; loss 0 and a zero gradient when no triplet is valid
   */
  LossStats tripletLoss(Tensor embeddings, IntTensor labels, TripletLossSpec spec, Tensor grad,
      TripletLossWorkspace workspace);

  /**
   * The triplet loss over explicit (anchors[t], positives[t], negatives[t]) triplets, every one
   * of them considered, and its gradient. The indices must lie in [0, N) with anchor != positive:
   * {@code TripletLoss} checks them before they reach a backend.
   *
   * @param embeddings (N, D)
   * @param anchors (T)
   * @param positives (T)
   * @param negatives (T)
   * @param grad (N, D) receives dLoss/dEmbeddings; null to skip the backward pass
   */
  LossStats tripletLossExplicit(Tensor embeddings, IntTensor anchors, IntTensor positives,
      IntTensor negatives, float margin, Reduction reduction, Tensor grad);

  /**
   * Exact k-nearest-neighbour search. For each query row, the k base rows of smallest distance,
   * ascending, ties broken by the lower base index, so that runs repeat exactly. The distance is
   * the squared L2 distance (clamped at 0), or with {@code innerProduct} the negated dot product.
   * Memory stays bounded for any Q x N: the work is tiled.
   *
   * @param queries (Q, D)
   * @param base (N, D)
   * @param baseNorms (N, 1) squared row norms of base from {@link #rowSquaredNorms}; ignored
   *     with innerProduct
   * @param k 1..N
   * @param outIdx (Q * k) base row indices, row-major by query
   * @param outDist (Q, k) the distances
   */
  void knn(Tensor queries, Tensor base, Tensor baseNorms, int k, boolean innerProduct,
      IntTensor outIdx, Tensor outDist);

  // ---------------------------------------------------------------------------------------
  // Optimisers, over flat parameter buffers of one shape

  /**
   * One Adam step in place, as PyTorch's Adam: g = grads + weightDecay * params;
   * m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2;
   * params -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps).
   *
   * @param step the 1-based step number, for the bias corrections
   */
  void adamStep(Tensor params, Tensor grads, Tensor m, Tensor v, float lr, float beta1,
      float beta2, float eps, float weightDecay, long step);

  /**
   * One SGD step with momentum in place, as PyTorch's SGD without dampening:
   * g = grads + weightDecay * params; velocity = momentum * velocity + g; params -= lr * velocity.
   */
  void sgdStep(Tensor params, Tensor grads, Tensor velocity, float lr, float momentum,
      float weightDecay);

  // ---------------------------------------------------------------------------------------
  // Reductions

  /** Sum of all elements, accumulated in double. */
  double sum(Tensor x);

  /** Sum of squares of all elements; NaN or infinite when any element is. */
  double sumOfSquares(Tensor x);
}
