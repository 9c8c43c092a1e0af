package dev.tripletcuda.backend.cpu;

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
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Shapes;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pure-Java backend: tensors are Java arrays, matrix products go through
 * {@link GemmBlocked} (vectorised where the JVM allows), large work is split over a fixed pool
 * of threads. Results do not depend on the number of threads.
 */
public final class CpuBackend implements Backend {

  /** Elementwise work below this many elements stays on the calling thread. */
  private static final int PARALLEL_MIN_ELEMENTS = 1 << 16;

  private final int threads;
  private final WorkerPool pool;
  private final GemmBlocked gemm;
  private final TripletLossCpu loss;
  private final KnnCpu knn;
  private final AdamUpdate adam = CpuKernels.adamUpdate();
  private final SumOfSquares squares = CpuKernels.sumOfSquares();
  private final AtomicLong liveBuffers = new AtomicLong();
  private final AtomicLong liveBytes = new AtomicLong();
  /** Grow-only scratch for the row norms of pairwise distances. */
  private float[] normScratch = new float[0];
  private boolean closed;

  /** A backend using {@code threads} threads (the caller's among them). */
  public CpuBackend(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads=" + threads + ", expected >= 1");
    }
    this.threads = threads;
    this.pool = new WorkerPool(threads);
    this.gemm = CpuKernels.gemm(pool);
    this.loss = new TripletLossCpu(this, pool);
    this.knn = new KnnCpu(pool, gemm, CpuKernels.knnScan());
  }

  /** A backend using every available processor. */
  public CpuBackend() {
    this(Runtime.getRuntime().availableProcessors());
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public String description() {
    return "CPU, " + threads + (threads == 1 ? " thread" : " threads") + ", "
        + (CpuKernels.vectorized() ? "Vector API kernels" : "plain Java kernels")
        + ", Java " + Runtime.version().feature();
  }

  /** Threads used for large work. */
  public int threads() {
    return threads;
  }

  // ---------------------------------------------------------------------------------------
  // Memory

  @Override
  public Tensor allocate(int rows, int cols) {
    checkOpen();
    Shapes.requireAllocation(rows, cols);
    CpuTensor t = CpuTensor.allocate(this, rows, cols);
    allocated(4L * t.data.length);
    return t;
  }

  @Override
  public IntTensor allocateInts(int length) {
    checkOpen();
    Shapes.requireIntAllocation(length);
    CpuIntTensor t = CpuIntTensor.allocate(this, length);
    allocated(4L * length);
    return t;
  }

  void allocated(long bytes) {
    liveBuffers.incrementAndGet();
    liveBytes.addAndGet(bytes);
  }

  void released(long bytes) {
    liveBuffers.decrementAndGet();
    liveBytes.addAndGet(-bytes);
  }

  @Override
  public long liveBuffers() {
    return liveBuffers.get();
  }

  @Override
  public long liveBytes() {
    return liveBytes.get();
  }

  @Override
  public void upload(float[] src, int srcOffset, Tensor dst) {
    CpuTensor d = cpu("dst", dst);
    requireNonNull("src", src);
    requireRange("src", src.length, srcOffset, d.size());
    System.arraycopy(src, srcOffset, d.data, d.offset, (int) d.size());
  }

  @Override
  public void download(Tensor src, float[] dst, int dstOffset) {
    CpuTensor s = cpu("src", src);
    requireNonNull("dst", dst);
    requireRange("dst", dst.length, dstOffset, s.size());
    System.arraycopy(s.data, s.offset, dst, dstOffset, (int) s.size());
  }

  @Override
  public void upload(int[] src, int srcOffset, IntTensor dst) {
    CpuIntTensor d = cpu("dst", dst);
    requireNonNull("src", src);
    requireRange("src", src.length, srcOffset, d.length());
    System.arraycopy(src, srcOffset, d.data, d.offset, d.length());
  }

  @Override
  public void download(IntTensor src, int[] dst, int dstOffset) {
    CpuIntTensor s = cpu("src", src);
    requireNonNull("dst", dst);
    requireRange("dst", dst.length, dstOffset, s.length());
    System.arraycopy(s.data, s.offset, dst, dstOffset, s.length());
  }

  @Override
  public void fill(Tensor t, float value) {
    CpuTensor x = cpu("t", t);
    Arrays.fill(x.data, x.offset, x.offset + (int) x.size(), value);
  }

  @Override
  public void copy(Tensor src, Tensor dst) {
    CpuTensor s = cpu("src", src);
    CpuTensor d = cpu("dst", dst);
    requireSame("src", s, "dst", d);
    System.arraycopy(s.data, s.offset, d.data, d.offset, (int) s.size());
  }

  @Override
  public void synchronize() {
    // Every CPU operation has finished when it returns.
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      pool.close();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the cpu backend is closed");
    }
  }

  // ---------------------------------------------------------------------------------------
  // Dense network

  @Override
  public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta,
      Tensor c) {
    CpuTensor x = cpu("a", a);
    CpuTensor y = cpu("b", b);
    CpuTensor z = cpu("c", c);
    requireGemm(transA, transB, x, y, z);
    int m = z.rows();
    int n = z.cols();
    int k = transA ? x.rows() : x.cols();
    gemm.gemm(transA, transB, m, n, k, alpha, x.data, x.offset, x.cols(), y.data, y.offset,
        y.cols(), beta, z.data, z.offset, z.cols());
  }

  @Override
  public void biasActivation(Tensor z, Tensor bias, Activation act) {
    CpuTensor x = cpu("z", z);
    CpuTensor bv = cpu("bias", bias);
    requireVector("bias", bv, x.cols());
    requireNonNull("act", act);
    int n = x.cols();
    boolean relu = act == Activation.RELU;
    for (int i = 0; i < x.rows(); i++) {
      int row = x.offset + i * n;
      for (int j = 0; j < n; j++) {
        float v = x.data[row + j] + bv.data[bv.offset + j];
        x.data[row + j] = relu ? Math.max(v, 0f) : v;
      }
    }
  }

  @Override
  public void reluBackward(Tensor grad, Tensor activated) {
    CpuTensor g = cpu("grad", grad);
    CpuTensor y = cpu("activated", activated);
    requireSame("grad", g, "activated", y);
    int size = (int) g.size();
    for (int i = 0; i < size; i++) {
      if (!(y.data[y.offset + i] > 0f)) {
        g.data[g.offset + i] = 0f;
      }
    }
  }

  @Override
  public void columnSums(Tensor x, Tensor out) {
    CpuTensor a = cpu("x", x);
    CpuTensor o = cpu("out", out);
    requireVector("out", o, a.cols());
    int n = a.cols();
    Arrays.fill(o.data, o.offset, o.offset + n, 0f);
    for (int i = 0; i < a.rows(); i++) {
      int row = a.offset + i * n;
      for (int j = 0; j < n; j++) {
        o.data[o.offset + j] += a.data[row + j];
      }
    }
  }

  @Override
  public void gatherRows(Tensor src, IntTensor idx, Tensor dst) {
    CpuTensor s = cpu("src", src);
    CpuIntTensor ix = cpu("idx", idx);
    CpuTensor d = cpu("dst", dst);
    require("dst", d, ix.length(), s.cols());
    int cols = s.cols();
    for (int i = 0; i < ix.length(); i++) {
      int r = ix.data[ix.offset + i];
      if (r < 0 || r >= s.rows()) {
        throw new IllegalArgumentException("idx[" + i + "]=" + r + ", expected 0.."
            + (s.rows() - 1));
      }
      System.arraycopy(s.data, s.offset + r * cols, d.data, d.offset + i * cols, cols);
    }
  }

  @Override
  public void l2NormalizeRows(Tensor x, Tensor y, Tensor norms) {
    CpuTensor a = cpu("x", x);
    CpuTensor o = cpu("y", y);
    CpuTensor nv = cpu("norms", norms);
    requireSame("x", a, "y", o);
    requireVector("norms", nv, a.rows());
    int d = a.cols();
    for (int i = 0; i < a.rows(); i++) {
      int row = a.offset + i * d;
      float ss = 0f;
      for (int k = 0; k < d; k++) {
        float v = a.data[row + k];
        ss += v * v;
      }
      float norm = Math.max((float) Math.sqrt(ss), 1e-12f);
      nv.data[nv.offset + i] = norm;
      float inv = 1f / norm;
      int out = o.offset + i * d;
      for (int k = 0; k < d; k++) {
        o.data[out + k] = a.data[row + k] * inv;
      }
    }
  }

  @Override
  public void l2NormalizeRowsBackward(Tensor y, Tensor norms, Tensor gradY, Tensor gradX) {
    CpuTensor yy = cpu("y", y);
    CpuTensor nv = cpu("norms", norms);
    CpuTensor gy = cpu("gradY", gradY);
    CpuTensor gx = cpu("gradX", gradX);
    requireSame("y", yy, "gradY", gy);
    requireSame("y", yy, "gradX", gx);
    requireVector("norms", nv, yy.rows());
    int d = yy.cols();
    for (int i = 0; i < yy.rows(); i++) {
      int ry = yy.offset + i * d;
      int rg = gy.offset + i * d;
      float dot = 0f;
      for (int k = 0; k < d; k++) {
        dot += yy.data[ry + k] * gy.data[rg + k];
      }
      float inv = 1f / nv.data[nv.offset + i];
      int rx = gx.offset + i * d;
      for (int k = 0; k < d; k++) {
        gx.data[rx + k] = (gy.data[rg + k] - yy.data[ry + k] * dot) * inv;
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Distances, loss and search

  @Override
  public void rowSquaredNorms(Tensor x, Tensor out) {
    CpuTensor a = cpu("x", x);
    CpuTensor o = cpu("out", out);
    requireVector("out", o, a.rows());
    squaredNorms(a, o.data, o.offset);
  }

  static void squaredNorms(CpuTensor a, float[] out, int outOff) {
    int d = a.cols();
    for (int i = 0; i < a.rows(); i++) {
      int row = a.offset + i * d;
      float ss = 0f;
      for (int k = 0; k < d; k++) {
        float v = a.data[row + k];
        ss += v * v;
      }
      out[outOff + i] = ss;
    }
  }

  @Override
  public void pairwiseSquaredL2(Tensor x, Tensor y, Tensor out) {
    CpuTensor a = cpu("x", x);
    CpuTensor b = cpu("y", y);
    CpuTensor o = cpu("out", out);
    Shapes.requirePairwise(a, b, o);
    int n = a.rows();
    int m = b.rows();
    boolean self = a.data == b.data && a.offset == b.offset && n == m;
    if (normScratch.length < n + m) {
      normScratch = new float[n + m];
    }
    float[] norms = normScratch;
    squaredNorms(a, norms, 0);
    squaredNorms(b, norms, n);

    gemm.gemm(false, true, n, m, a.cols(), -2f, a.data, a.offset, a.cols(), b.data, b.offset,
        b.cols(), 0f, o.data, o.offset, m);
    // The norm epilogue, rows split over the threads when the output is large.
    int parts = (long) n * m >= PARALLEL_MIN_ELEMENTS ? Math.min(n, threads) : 1;
    int rowsPerPart = GemmBlocked.ceilDiv(n, parts);
    WorkerPool.Part epilogue = part -> {
      int i1 = Math.min(n, (part + 1) * rowsPerPart);
      for (int i = part * rowsPerPart; i < i1; i++) {
        int row = o.offset + i * m;
        float ni = norms[i];
        for (int j = 0; j < m; j++) {
          // Math.max keeps a NaN and turns -0 into +0.
          o.data[row + j] = Math.max(o.data[row + j] + ni + norms[n + j], 0f);
        }
        if (self) {
          o.data[row + i] = 0f;
        }
      }
    };
    if (parts == 1) {
      epilogue.run(0);
    } else {
      pool.run(parts, epilogue);
    }
  }


  @Override
  public TripletLossWorkspace allocateTripletLossWorkspace(int maxBatch) {
    checkOpen();
    Shapes.requireWorkspaceCapacity(maxBatch);
    return new CpuLossWorkspace(this, maxBatch, threads);
  }

  @Override
  public LossStats tripletLoss(Tensor embeddings, IntTensor labels, TripletLossSpec spec,
      Tensor grad, TripletLossWorkspace workspace) {
    CpuTensor e = cpu("embeddings", embeddings);
    CpuIntTensor l = cpu("labels", labels);
    requireNonNull("spec", spec);
    CpuTensor g = grad == null ? null : cpu("grad", grad);
    if (!(requireNonNull("workspace", workspace) instanceof CpuLossWorkspace)) {
      throw new IllegalArgumentException("workspace belongs to another backend");
    }
    CpuLossWorkspace ws = (CpuLossWorkspace) workspace;
    requireTripletBatch(e, l, g, ws.capacity);
    return loss.mined(e, l, spec, g, ws);
  }

  @Override
  public LossStats tripletLossExplicit(Tensor embeddings, IntTensor anchors,
      IntTensor positives, IntTensor negatives, float margin, Reduction reduction,
      Tensor grad) {
    CpuTensor e = cpu("embeddings", embeddings);
    CpuIntTensor a = cpu("anchors", anchors);
    CpuIntTensor p = cpu("positives", positives);
    CpuIntTensor n = cpu("negatives", negatives);
    CpuTensor g = grad == null ? null : cpu("grad", grad);
    requireExplicitTriplets(e, a, p, n, reduction, g);
    if (a.offset != 0 || p.offset != 0 || n.offset != 0) {
      // Slices: copy to plain arrays once; explicit triplets are not on a hot path.
      int[] aa = new int[a.length()];
      int[] pp = new int[a.length()];
      int[] nn = new int[a.length()];
      download(a, aa, 0);
      download(p, pp, 0);
      download(n, nn, 0);
      return explicitChecked(e, aa, pp, nn, margin, reduction, g);
    }
    return explicitChecked(e, a.data, p.data, n.data, margin, reduction, g);
  }

  private static LossStats explicitChecked(CpuTensor e, int[] a, int[] p, int[] n,
      float margin, Reduction reduction, CpuTensor g) {
    // The loss reads rows by these indices: a bad one would read out of bounds.
    int count = Math.min(a.length, Math.min(p.length, n.length));
    int rows = e.rows();
    for (int t = 0; t < count; t++) {
      if (a[t] < 0 || a[t] >= rows || p[t] < 0 || p[t] >= rows || n[t] < 0 || n[t] >= rows
          || a[t] == p[t]) {
        throw new IllegalArgumentException("triplet " + t + " is (" + a[t] + ", " + p[t]
            + ", " + n[t] + "), expected rows in 0.." + (rows - 1) + " and anchor != positive");
      }
    }
    return TripletLossCpu.explicit(e, a, p, n, 0, count, margin, reduction, g);
  }

  @Override
  public void knn(Tensor queries, Tensor base, Tensor baseNorms, int k, boolean innerProduct,
      IntTensor outIdx, Tensor outDist) {
    CpuTensor q = cpu("queries", queries);
    CpuTensor b = cpu("base", base);
    CpuTensor bn = innerProduct ? null : cpu("baseNorms", baseNorms);
    CpuIntTensor oi = cpu("outIdx", outIdx);
    CpuTensor od = cpu("outDist", outDist);
    requireKnn(q, b, bn, k, innerProduct, oi, od);
    knn.search(q, b, bn, k, innerProduct, oi, od);
  }

  // ---------------------------------------------------------------------------------------
  // Optimisers

  @Override
  public void adamStep(Tensor params, Tensor grads, Tensor m, Tensor v, float lr, float beta1,
      float beta2, float eps, float weightDecay, long step) {
    CpuTensor p = cpu("params", params);
    CpuTensor g = cpu("grads", grads);
    CpuTensor mm = cpu("m", m);
    CpuTensor vv = cpu("v", v);
    requireAdam(p, g, mm, vv, step);
    float bc1 = (float) (1 - Math.pow(beta1, step));
    float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
    float stepSize = lr / bc1;
    int size = (int) p.size();
    int parts = size >= PARALLEL_MIN_ELEMENTS ? threads : 1;
    int chunk = GemmBlocked.ceilDiv(size, parts);
    pool.run(parts, part -> adam.update(p.data, p.offset, g.data, g.offset, mm.data,
        mm.offset, vv.data, vv.offset, part * chunk, Math.min(size, (part + 1) * chunk), beta1,
        beta2, stepSize, bc2Sqrt, eps, weightDecay));
  }

  @Override
  public void sgdStep(Tensor params, Tensor grads, Tensor velocity, float lr, float momentum,
      float weightDecay) {
    CpuTensor p = cpu("params", params);
    CpuTensor g = cpu("grads", grads);
    CpuTensor u = cpu("velocity", velocity);
    requireSgd(p, g, u);
    int size = (int) p.size();
    for (int i = 0; i < size; i++) {
      float w = p.data[p.offset + i];
      float gi = g.data[g.offset + i] + weightDecay * w;
      float ui = momentum * u.data[u.offset + i] + gi;
      u.data[u.offset + i] = ui;
      p.data[p.offset + i] = w - lr * ui;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Reductions

  @Override
  public double sum(Tensor x) {
    CpuTensor a = cpu("x", x);
    double s = 0;
    int size = (int) a.size();
    for (int i = 0; i < size; i++) {
      s += a.data[a.offset + i];
    }
    return s;
  }

  @Override
  public double sumOfSquares(Tensor x) {
    CpuTensor a = cpu("x", x);
    return squares.of(a.data, a.offset, (int) a.size());
  }

  // ---------------------------------------------------------------------------------------

  private CpuTensor cpu(String name, Tensor t) {
    requireNonNull(name, t);
    if (!(t instanceof CpuTensor) || t.backend() != this) {
      throw new IllegalArgumentException(name + " (" + t + ") belongs to another backend");
    }
    return (CpuTensor) t;
  }

  private CpuIntTensor cpu(String name, IntTensor t) {
    requireNonNull(name, t);
    if (!(t instanceof CpuIntTensor) || t.backend() != this) {
      throw new IllegalArgumentException(name + " (" + t + ") belongs to another backend");
    }
    return (CpuIntTensor) t;
  }
}
