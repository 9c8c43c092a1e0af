package dev.tripletcuda.backend.cuda;

import static dev.tripletcuda.backend.Shapes.require;
import static dev.tripletcuda.backend.Shapes.requireAdam;
import static dev.tripletcuda.backend.Shapes.requireExplicitTriplets;
import static dev.tripletcuda.backend.Shapes.requireGemm;
import static dev.tripletcuda.backend.Shapes.requireKnn;
import static dev.tripletcuda.backend.Shapes.requireNonNull;
import static dev.tripletcuda.backend.Shapes.requireRange;
import static dev.tripletcuda.backend.Shapes.requireSame;
import static dev.tripletcuda.backend.Shapes.requireSgd;
import static dev.tripletcuda.backend.Shapes.requireTripletBatch;
import static dev.tripletcuda.backend.Shapes.requireVector;
import static dev.tripletcuda.backend.Shapes.shape;

import dev.tripletcuda.backend.Activation;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.DeviceUnavailableException;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Shapes;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import jcuda.CudaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CUDA backend: every {@link Backend} operation as hand-written kernels on one NVIDIA GPU
 * (the {@code .cu} files of {@code cuda-kernels/}, shipped as PTX), through the JCuda driver
 * API, with matrix products on cuBLAS where it loads and on the built-in tiled SGEMM kernel
 * elsewhere. Results equal the CPU backend's up to the order of float additions; mining
 * decisions, tie-breaks and reductions follow the same definitions.
 *
 * <p>All work is queued on one stream in call order. Operations that return values to the host
 * (downloads, the losses, the sums) wait for the work before them; the others return at once.
 * Device memory is taken when tensors and workspaces are allocated, and by a few grow-only
 * scratch buffers; the training step itself allocates nothing, on the device or on the Java
 * heap beyond the views and results the {@link Backend} API returns.
 *
 * <p>Not thread-safe, like every backend; it may be used from any one thread at a time.
 */
public final class CudaBackend implements Backend {

  private static final Logger log = LoggerFactory.getLogger(CudaBackend.class);

  /** Grow-only device scratch, by purpose. */
  enum Scratch {
    PAIRWISE_NORMS, KNN_DIST, KNN_LIST_A, KNN_LIST_B, KNN_QUERY_NORMS, REDUCE_PARTIALS,
    REDUCE_OUT, EXPLICIT_PARTIALS, EXPLICIT_RESULT
  }

  private final CudaDevice device;
  private final DeviceGemm gemm;
  private final GemmTiled gemmTiled;
  private final CublasGemm cublas;
  private final DistanceKernels distances;
  private final LayerKernels layers;
  private final OptimizerKernels optimizers;
  private final ReductionKernels reductions;
  private final TripletLossKernels loss;
  private final CudaKnn knn;

  /** Every live allocation, freed on close. */
  private final Set<DeviceBuffer> buffers = Collections.newSetFromMap(new IdentityHashMap<>());
  private final DeviceBuffer[] scratch = new DeviceBuffer[Scratch.values().length];
  private long liveBuffers;
  private long liveBytes;
  private boolean closed;

  private CudaBackend(CudaDevice device, boolean useCublas) {
    this.device = device;
    this.gemmTiled = new GemmTiled(device);
    this.cublas = useCublas ? CublasGemm.tryOpen(device.stream) : null;
    this.gemm = cublas != null ? cublas : gemmTiled;
    this.distances = new DistanceKernels(device);
    this.layers = new LayerKernels(device);
    this.optimizers = new OptimizerKernels(device);
    this.reductions = new ReductionKernels(device);
    this.loss = new TripletLossKernels(device);
    this.knn = new CudaKnn(this, distances, new TopKKernels(device));
  }

  /** Opens the device the environment names (device 0 by default); see {@link CudaOptions}. */
  public static CudaBackend open() {
    return open(CudaOptions.fromEnvironment());
  }

  /**
   * Opens a CUDA device.
   *
   * @throws DeviceUnavailableException with one line saying what is missing or failed: the
   *     JCuda natives or the NVIDIA driver, a device, or kernels the driver accepts
   */
  public static CudaBackend open(CudaOptions options) {
    requireNonNull("options", options);
    CudaDevice device;
    try {
      device = CudaDevice.open(options);
    } catch (DeviceUnavailableException e) {
      throw e;
    } catch (LinkageError e) {
      throw new DeviceUnavailableException(CudaNatives.driverFailure(e));
    } catch (RuntimeException e) {
      throw new DeviceUnavailableException("the CUDA device could not be opened: "
          + CudaNatives.describe(e), e);
    }
    try {
      return new CudaBackend(device, options.cublas());
    } catch (RuntimeException | LinkageError e) {
      device.close();
      if (e instanceof DeviceUnavailableException) {
        throw (DeviceUnavailableException) e;
      }
      throw new DeviceUnavailableException("the CUDA backend could not start: "
          + CudaNatives.describe(e), e);
    }
  }

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public String description() {
    String products = gemm.describe();
    if (cublas == null && CublasGemm.unavailableReason() != null) {
      products += " (cuBLAS: " + CublasGemm.unavailableReason() + ")";
    }
    return String.format(Locale.ROOT, "CUDA device %d: %s, sm_%d%d, %.1f GiB, driver %s, "
        + "kernels from %s, matrix products on %s", device.options.device(), device.name,
        device.ccMajor, device.ccMinor, device.totalMemory / (double) (1L << 30),
        CudaDevice.versionString(device.driverVersion), device.kernelOrigin, products);
  }

  /** Whether matrix products run on cuBLAS (else on the tiled SGEMM kernel). */
  public boolean usesCublas() {
    return gemm == cublas;
  }

  /** The device's name as the driver reports it, e.g. "NVIDIA H200". */
  public String deviceName() {
    return device.name;
  }

  // ---------------------------------------------------------------------------------------
  // Memory

  @Override
  public Tensor allocate(int rows, int cols) {
    enter();
    Shapes.requireAllocation(rows, cols);
    long size = (long) rows * cols;
    DeviceBuffer b = buffer(4 * size, "tensor (" + rows + ", " + cols + ")", true);
    device.fill32(b.pointer, 0, size);
    return new CudaTensor(this, b, 0, rows, cols, true);
  }

  @Override
  public IntTensor allocateInts(int length) {
    enter();
    Shapes.requireIntAllocation(length);
    DeviceBuffer b = buffer(4L * length, "int tensor (" + length + ")", true);
    device.fill32(b.pointer, 0, length);
    return new CudaIntTensor(this, b, 0, length, true);
  }

  private DeviceBuffer buffer(long bytes, String what, boolean counted) {
    DeviceBuffer b = new DeviceBuffer(device.malloc(bytes, what), bytes, counted);
    buffers.add(b);
    if (counted) {
      counted(+1, bytes);
    }
    return b;
  }

  /** Device memory the backend frees on close, not counted as a live buffer. */
  DeviceBuffer scratchBuffer(long bytes, String what) {
    enter();
    return buffer(bytes, what, false);
  }

  /** Frees one allocation; nothing happens when it is already freed or the backend closed. */
  void release(DeviceBuffer b) {
    if (b.freed() || closed) {
      return;
    }
    enter();
    b.markFreed();
    buffers.remove(b);
    if (b.counted) {
      counted(-1, -b.bytes);
    }
    device.free(b.pointer);
  }

  void counted(int buffersDelta, long bytesDelta) {
    liveBuffers += buffersDelta;
    liveBytes += bytesDelta;
  }

  /** Grow-only scratch for one purpose, at least {@code bytes} large. */
  DevicePointer scratch(Scratch purpose, long bytes) {
    DeviceBuffer b = scratch[purpose.ordinal()];
    if (b != null && b.bytes >= bytes) {
      return b.pointer;
    }
    if (b != null) {
      // Queued work may still read the old buffer.
      device.synchronize();
      release(b);
    }
    b = buffer(Math.max(bytes, 256), "scratch for " + purpose.name().toLowerCase(Locale.ROOT)
        .replace('_', ' '), false);
    scratch[purpose.ordinal()] = b;
    return b.pointer;
  }

  /** Bytes of the scratch buffers held now for the given purposes. */
  long scratchBytes(Scratch... purposes) {
    long sum = 0;
    for (Scratch p : purposes) {
      DeviceBuffer b = scratch[p.ordinal()];
      sum += b == null || b.freed() ? 0 : b.bytes;
    }
    return sum;
  }

  /** Caps the scratch of later kNN searches at bytes (0: none); see {@link CudaKnn}. */
  void limitKnnScratch(long bytes) {
    knn.limitScratch(bytes);
  }

  /** Device memory free now, as the driver reports it. */
  long freeDeviceMemory() {
    return device.memoryInfo()[0];
  }

  @Override
  public long liveBuffers() {
    return liveBuffers;
  }

  @Override
  public long liveBytes() {
    return liveBytes;
  }

  @Override
  public void upload(float[] src, int srcOffset, Tensor dst) {
    CudaTensor d = cuda("dst", dst);
    requireNonNull("src", src);
    requireRange("src", src.length, srcOffset, d.size());
    device.upload(src, srcOffset, (int) d.size(), d.pointer);
  }

  @Override
  public void download(Tensor src, float[] dst, int dstOffset) {
    CudaTensor s = cuda("src", src);
    requireNonNull("dst", dst);
    requireRange("dst", dst.length, dstOffset, s.size());
    device.download(s.pointer, (int) s.size(), dst, dstOffset);
  }

  @Override
  public void upload(int[] src, int srcOffset, IntTensor dst) {
    CudaIntTensor d = cuda("dst", dst);
    requireNonNull("src", src);
    requireRange("src", src.length, srcOffset, d.length());
    device.upload(src, srcOffset, d.length(), d.pointer);
  }

  @Override
  public void download(IntTensor src, int[] dst, int dstOffset) {
    CudaIntTensor s = cuda("src", src);
    requireNonNull("dst", dst);
    requireRange("dst", dst.length, dstOffset, s.length());
    device.download(s.pointer, s.length(), dst, dstOffset);
  }

  @Override
  public void fill(Tensor t, float value) {
    CudaTensor x = cuda("t", t);
    device.fill32(x.pointer, Float.floatToRawIntBits(value), x.size());
  }

  @Override
  public void copy(Tensor src, Tensor dst) {
    CudaTensor s = cuda("src", src);
    CudaTensor d = cuda("dst", dst);
    requireSame("src", s, "dst", d);
    device.copy(s.pointer, d.pointer, 4 * s.size());
  }

  @Override
  public void synchronize() {
    enter();
    device.synchronize();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      enter();
      for (DeviceBuffer b : new ArrayList<>(buffers)) {
        b.markFreed();
        device.free(b.pointer);
      }
    } catch (CudaException e) {
      log.warn("freeing device memory failed while closing: {}", e.getMessage());
    } finally {
      closed = true;
      buffers.clear();
      liveBuffers = 0;
      liveBytes = 0;
      if (cublas != null) {
        cublas.close();
      }
      device.close();
    }
  }

  /** Checks the backend is open and its context current on this thread. */
  private void enter() {
    if (closed) {
      throw new IllegalStateException("the cuda backend is closed");
    }
    device.enter();
  }

  // ---------------------------------------------------------------------------------------
  // Dense network

  @Override
  public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta,
      Tensor c) {
    CudaTensor x = cuda("a", a);
    CudaTensor y = cuda("b", b);
    CudaTensor z = cuda("c", c);
    requireGemm(transA, transB, x, y, z);
    gemm(transA, transB, z.rows(), z.cols(), transA ? x.rows() : x.cols(), alpha, x, y, beta, z);
  }

  private void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      CudaTensor a, CudaTensor b, float beta, CudaTensor c) {
    if (m == 0 || n == 0) {
      return;
    }
    // cuBLAS refuses a leading dimension of 0, which an empty inner dimension gives; the
    // tiled kernel computes c = beta c there.
    DeviceGemm g = k == 0 ? gemmTiled : gemm;
    g.gemm(transA, transB, m, n, k, alpha, a.pointer, a.cols(), b.pointer, b.cols(), beta,
        c.pointer, c.cols());
  }

  @Override
  public void biasActivation(Tensor z, Tensor bias, Activation act) {
    CudaTensor x = cuda("z", z);
    CudaTensor bv = cuda("bias", bias);
    requireVector("bias", bv, x.cols());
    requireNonNull("act", act);
    layers.biasActivation(x.pointer, x.rows(), x.cols(), bv.pointer,
        act == Activation.RELU);
  }

  @Override
  public void reluBackward(Tensor grad, Tensor activated) {
    CudaTensor g = cuda("grad", grad);
    CudaTensor y = cuda("activated", activated);
    requireSame("grad", g, "activated", y);
    layers.reluBackward(g.pointer, y.pointer, g.size());
  }

  @Override
  public void columnSums(Tensor x, Tensor out) {
    CudaTensor a = cuda("x", x);
    CudaTensor o = cuda("out", out);
    requireVector("out", o, a.cols());
    layers.columnSums(a.pointer, a.rows(), a.cols(), o.pointer);
  }

  @Override
  public void gatherRows(Tensor src, IntTensor idx, Tensor dst) {
    CudaTensor s = cuda("src", src);
    CudaIntTensor ix = cuda("idx", idx);
    CudaTensor d = cuda("dst", dst);
    require("dst", d, ix.length(), s.cols());
    layers.gatherRows(s.pointer, s.rows(), s.cols(), ix.pointer, ix.length(), d.pointer);
  }

  @Override
  public void l2NormalizeRows(Tensor x, Tensor y, Tensor norms) {
    CudaTensor a = cuda("x", x);
    CudaTensor o = cuda("y", y);
    CudaTensor nv = cuda("norms", norms);
    requireSame("x", a, "y", o);
    requireVector("norms", nv, a.rows());
    layers.l2Normalize(a.pointer, a.rows(), a.cols(), o.pointer, nv.pointer);
  }

  @Override
  public void l2NormalizeRowsBackward(Tensor y, Tensor norms, Tensor gradY, Tensor gradX) {
    CudaTensor yy = cuda("y", y);
    CudaTensor nv = cuda("norms", norms);
    CudaTensor gy = cuda("gradY", gradY);
    CudaTensor gx = cuda("gradX", gradX);
    requireSame("y", yy, "gradY", gy);
    requireSame("y", yy, "gradX", gx);
    requireVector("norms", nv, yy.rows());
    layers.l2NormalizeBackward(yy.pointer, nv.pointer, gy.pointer, yy.rows(), yy.cols(),
        gx.pointer);
  }

  // ---------------------------------------------------------------------------------------
  // Distances, loss and search

  @Override
  public void rowSquaredNorms(Tensor x, Tensor out) {
    CudaTensor a = cuda("x", x);
    CudaTensor o = cuda("out", out);
    requireVector("out", o, a.rows());
    distances.rowSquaredNorms(a.pointer, a.rows(), a.cols(), o.pointer);
  }

  @Override
  public void pairwiseSquaredL2(Tensor x, Tensor y, Tensor out) {
    CudaTensor a = cuda("x", x);
    CudaTensor b = cuda("y", y);
    CudaTensor o = cuda("out", out);
    Shapes.requirePairwise(a, b, o);
    int n = a.rows();
    int m = b.rows();
    boolean self = a.pointer.address() == b.pointer.address() && n == m;
    DevicePointer norms = scratch(Scratch.PAIRWISE_NORMS, 4L * (n + m));
    DevicePointer yNorms = norms.offset(4L * n);
    distances.rowSquaredNorms(a.pointer, n, a.cols(), norms);
    distances.rowSquaredNorms(b.pointer, m, b.cols(), yNorms);
    distances.pairwise(a.pointer, norms, n, b.pointer, yNorms, m, a.cols(), false, self,
        o.pointer, m);
  }

  @Override
  public TripletLossWorkspace allocateTripletLossWorkspace(int maxBatch) {
    enter();
    Shapes.requireWorkspaceCapacity(maxBatch);
    return new CudaLossWorkspace(this, maxBatch);
  }

  @Override
  public LossStats tripletLoss(Tensor embeddings, IntTensor labels, TripletLossSpec spec,
      Tensor grad, TripletLossWorkspace workspace) {
    CudaTensor e = cuda("embeddings", embeddings);
    CudaIntTensor l = cuda("labels", labels);
    requireNonNull("spec", spec);
    CudaTensor g = grad == null ? null : cuda("grad", grad);
    if (!(requireNonNull("workspace", workspace) instanceof CudaLossWorkspace)
        || ((CudaLossWorkspace) workspace).isClosed()) {
      throw new IllegalArgumentException("workspace belongs to another backend or is closed");
    }
    CudaLossWorkspace ws = (CudaLossWorkspace) workspace;
    requireTripletBatch(e, l, g, ws.capacity);
    int b = e.rows();
    int d = e.cols();
    if (b == 0) {
      return LossStats.EMPTY;
    }

    // Forward: distances, mining per anchor, the sums and the weight.
    DevicePointer dist = ws.dist.pointer;
    DevicePointer norms = ws.norms.pointer;
    distances.rowSquaredNorms(e.pointer, b, d, norms);
    distances.pairwise(e.pointer, norms, b, e.pointer, norms, b, d, false, true, dist, b);
    loss.mine(spec.mining(), dist, l.pointer, b, spec.margin(), ws.selected.pointer,
        ws.coef.pointer, ws.partials.pointer);
    loss.reduce(ws.partials.pointer, b, spec.reduction(), ws.result.pointer);

    // Backward: S = C + C^T and its row sums r over the distances and norms, G = S E into
    // grad, then grad = 2 w (diag(r) E - G).
    if (g != null && d > 0) {
      loss.symmetrize(ws.coef.pointer, b, dist, norms);
      gemm.gemm(false, false, b, d, b, 1f, dist, b, e.pointer, d, 0f, g.pointer, d);
      loss.gradEpilogue(e.pointer, norms, ws.result.pointer, b, d, g.pointer);
    }
    return stats(device.read(ws.result.pointer, TripletLossKernels.RESULT_BYTES),
        spec.reduction());
  }

  /** LossStats from a LossResult record, reduced exactly as the CPU backend reduces. */
  private static LossStats stats(ByteBuffer r, Reduction reduction) {
    double sum = r.getDouble(0);
    double positive = r.getDouble(8);
    double negative = r.getDouble(16);
    long triplets = r.getLong(24);
    long active = r.getLong(32);
    if (triplets == 0) {
      return LossStats.EMPTY;
    }
    double w = reduction.weight(triplets, active);
    return new LossStats(sum * w, triplets, active, positive / triplets, negative / triplets);
  }

  @Override
  public LossStats tripletLossExplicit(Tensor embeddings, IntTensor anchors,
      IntTensor positives, IntTensor negatives, float margin, Reduction reduction,
      Tensor grad) {
    CudaTensor e = cuda("embeddings", embeddings);
    CudaIntTensor a = cuda("anchors", anchors);
    CudaIntTensor p = cuda("positives", positives);
    CudaIntTensor n = cuda("negatives", negatives);
    CudaTensor g = grad == null ? null : cuda("grad", grad);
    requireExplicitTriplets(e, a, p, n, reduction, g);
    int count = a.length();
    if (count == 0) {
      if (g != null) {
        fill(g, 0f);
      }
      return LossStats.EMPTY;
    }

    DevicePointer partials = scratch(Scratch.EXPLICIT_PARTIALS,
        (long) TripletLossKernels.PARTIAL_BYTES * TripletLossKernels.MAX_EXPLICIT_BLOCKS);
    DevicePointer result = scratch(Scratch.EXPLICIT_RESULT, TripletLossKernels.RESULT_BYTES);
    int blocks = loss.explicitForward(e.pointer, e.rows(), e.cols(), a.pointer, p.pointer,
        n.pointer, count, margin, partials);
    loss.reduce(partials, blocks, reduction, result);
    if (g != null) {
      device.fill32(g.pointer, 0, g.size());
      loss.explicitBackward(e.pointer, e.rows(), e.cols(), a.pointer, p.pointer, n.pointer,
          count, margin, result, g.pointer);
    }
    return stats(device.read(result, TripletLossKernels.RESULT_BYTES), reduction);
  }

  @Override
  public void knn(Tensor queries, Tensor base, Tensor baseNorms, int k, boolean innerProduct,
      IntTensor outIdx, Tensor outDist) {
    CudaTensor q = cuda("queries", queries);
    CudaTensor b = cuda("base", base);
    CudaTensor bn = innerProduct ? null : cuda("baseNorms", baseNorms);
    CudaIntTensor oi = cuda("outIdx", outIdx);
    CudaTensor od = cuda("outDist", outDist);
    requireKnn(q, b, bn, k, innerProduct, oi, od);
    if (q.rows() == 0) {
      return;
    }
    knn.search(q.pointer, q.rows(), b.pointer, b.rows(), b.cols(),
        bn == null ? null : bn.pointer, k, innerProduct, oi.pointer, od.pointer);
  }

  // ---------------------------------------------------------------------------------------
  // Optimisers

  @Override
  public void adamStep(Tensor params, Tensor grads, Tensor m, Tensor v, float lr, float beta1,
      float beta2, float eps, float weightDecay, long step) {
    CudaTensor p = cuda("params", params);
    CudaTensor g = cuda("grads", grads);
    CudaTensor mm = cuda("m", m);
    CudaTensor vv = cuda("v", v);
    requireAdam(p, g, mm, vv, step);
    optimizers.adam(p.pointer, g.pointer, mm.pointer, vv.pointer, p.size(), lr, beta1, beta2,
        eps, weightDecay, step);
  }

  @Override
  public void sgdStep(Tensor params, Tensor grads, Tensor velocity, float lr, float momentum,
      float weightDecay) {
    CudaTensor p = cuda("params", params);
    CudaTensor g = cuda("grads", grads);
    CudaTensor u = cuda("velocity", velocity);
    requireSgd(p, g, u);
    optimizers.sgd(p.pointer, g.pointer, u.pointer, p.size(), lr, momentum, weightDecay);
  }

  // ---------------------------------------------------------------------------------------
  // Reductions

  @Override
  public double sum(Tensor x) {
    return reduce(cuda("x", x), false);
  }

  @Override
  public double sumOfSquares(Tensor x) {
    return reduce(cuda("x", x), true);
  }

  private double reduce(CudaTensor a, boolean squares) {
    if (a.size() == 0) {
      device.synchronize();
      return 0.0;
    }
    DevicePointer partials = scratch(Scratch.REDUCE_PARTIALS, 8L * ReductionKernels.MAX_PARTIALS);
    DevicePointer out = scratch(Scratch.REDUCE_OUT, 8);
    reductions.sum(a.pointer, a.size(), squares, partials, out);
    return device.read(out, 8).getDouble(0);
  }

  // ---------------------------------------------------------------------------------------

  /** The CUDA tensor behind an argument; checks the backend is open and the tensor alive. */
  private CudaTensor cuda(String name, Tensor t) {
    requireNonNull(name, t);
    if (!(t instanceof CudaTensor) || t.backend() != this) {
      throw new IllegalArgumentException(name + " (" + t + ") belongs to another backend");
    }
    enter();
    CudaTensor c = (CudaTensor) t;
    if (c.buffer.freed()) {
      throw new IllegalStateException(name + " (" + t + ") is used after it was closed");
    }
    return c;
  }

  private CudaIntTensor cuda(String name, IntTensor t) {
    requireNonNull(name, t);
    if (!(t instanceof CudaIntTensor) || t.backend() != this) {
      throw new IllegalArgumentException(name + " (" + t + ") belongs to another backend");
    }
    enter();
    CudaIntTensor c = (CudaIntTensor) t;
    if (c.buffer.freed()) {
      throw new IllegalStateException(name + " (" + t + ") is used after it was closed");
    }
    return c;
  }
}
