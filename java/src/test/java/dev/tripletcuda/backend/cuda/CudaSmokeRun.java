package dev.tripletcuda.backend.cuda;

import dev.tripletcuda.backend.Activation;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Launches every kernel once or twice at small awkward sizes and checks the results against
 * the CPU loosely: short enough to run under compute-sanitizer, whose memcheck then reports
 * any out-of-bounds or misaligned access a kernel makes. Exits 0 when every result agreed.
 *
 * <p>Run: {@code java -cp tripletcuda.jar:tripletcuda-tests.jar
 * dev.tripletcuda.backend.cuda.CudaSmokeRun}.
 */
public final class CudaSmokeRun {

  private static int failures;

  private CudaSmokeRun() {}

  public static void main(String[] args) {
    SplittableRandom rng = new SplittableRandom(1);
    try (CudaBackend gpu = CudaBackend.open(CudaOptions.fromEnvironment().withCublas(false));
        CpuBackend cpu = new CpuBackend(2)) {
      System.out.println("smoke: " + gpu.description());
      for (int[] shape : new int[][] {{1, 1}, {33, 3}, {257, 130}, {70, 784}}) {
        run(gpu, cpu, shape[0], shape[1], rng);
      }
    }
    System.out.println(failures == 0 ? "smoke: ok" : "smoke: " + failures + " mismatches");
    System.exit(failures == 0 ? 0 : 1);
  }

  private static void run(Backend gpu, Backend cpu, int rows, int dim, SplittableRandom rng) {
    float[] x = CudaTestSupport.gaussian(rng, rows * dim);
    float[] w = CudaTestSupport.gaussian(rng, 65 * dim);
    int[] labels = new int[rows];
    int[] idx = new int[rows];
    for (int i = 0; i < rows; i++) {
      labels[i] = i % 4;
      idx[i] = rng.nextInt(rows);
    }
    String at = " rows=" + rows + " dim=" + dim;
    compare("all operations" + at, everything(cpu, rows, dim, x, w, labels, idx),
        everything(gpu, rows, dim, x, w, labels, idx));
  }

  /** Every operation once, their results concatenated. */
  private static float[] everything(Backend be, int rows, int dim, float[] x, float[] w,
      int[] labels, int[] idx) {
    List<Float> out = new ArrayList<>();
    int[] next = new int[rows];
    for (int i = 0; i < rows; i++) {
      next[i] = (i + 1) % rows;
    }
    try (Tensor tx = CudaTestSupport.tensor(be, rows, dim, x);
        Tensor tw = CudaTestSupport.tensor(be, 65, dim, w);
        Tensor h = be.allocate(rows, 65); Tensor back = be.allocate(65, dim);
        Tensor bias = be.allocate(65, 1); Tensor sums = be.allocate(65, 1);
        IntTensor ti = CudaTestSupport.ints(be, idx);
        IntTensor tn = CudaTestSupport.ints(be, next);
        IntTensor tl = CudaTestSupport.ints(be, labels); Tensor g = be.allocate(rows, dim);
        Tensor y = be.allocate(rows, dim); Tensor norms = be.allocate(rows, 1);
        Tensor gx = be.allocate(rows, dim); Tensor dist = be.allocate(rows, rows);
        Tensor grad = be.allocate(rows, dim); IntTensor nn = be.allocateInts(rows * 2);
        Tensor nd = be.allocate(rows, 2); Tensor m = be.allocate(rows, dim);
        Tensor v = be.allocate(rows, dim);
        TripletLossWorkspace ws = be.allocateTripletLossWorkspace(rows)) {
      be.gemm(false, true, 1f, tx, tw, 0f, h);
      add(out, be, h);
      be.gemm(true, false, 1f, h, tx, 0f, back);
      add(out, be, back);
      be.fill(bias, 0.25f);
      be.biasActivation(h, bias, Activation.RELU);
      be.reluBackward(h, h);
      be.columnSums(h, sums);
      add(out, be, sums);
      be.gatherRows(tx, ti, g);
      add(out, be, g);
      be.l2NormalizeRows(g, y, norms);
      be.l2NormalizeRowsBackward(y, norms, tx, gx);
      add(out, be, gx);
      be.pairwiseSquaredL2(y, y, dist);
      add(out, be, dist);
      for (Mining mining : Mining.values()) {
        LossStats s = be.tripletLoss(y, tl, new TripletLossSpec(mining, 0.5f, Reduction.MEAN),
            grad, ws);
        out.add((float) s.loss());
        add(out, be, grad);
      }
      if (rows >= 2) {
        LossStats e = be.tripletLossExplicit(y, ti, tn, ti, 0.5f, Reduction.SUM, grad);
        out.add((float) e.loss());
        add(out, be, grad);
        be.rowSquaredNorms(y, norms);
        be.knn(y, y, norms, 2, false, nn, nd);
        add(out, be, nd);
      }
      be.adamStep(g, gx, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 3);
      be.sgdStep(g, gx, m, 0.01f, 0.9f, 0f);
      add(out, be, g);
      out.add((float) be.sumOfSquares(g));
    }
    float[] values = new float[out.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = out.get(i);
    }
    return values;
  }

  private static void add(List<Float> out, Backend be, Tensor t) {
    float[] v = new float[(int) t.size()];
    be.download(t, v, 0);
    for (float f : v) {
      out.add(f);
    }
  }

  private static void compare(String what, float[] want, float[] got) {
    int bad = 0;
    for (int i = 0; i < want.length; i++) {
      double tol = 1e-2 + 1e-2 * Math.abs(want[i]);
      boolean nan = Float.isNaN(want[i]) && Float.isNaN(got[i]);
      if (!(Math.abs(want[i] - got[i]) <= tol) && !nan) {
        if (bad++ < 3) {
          System.out.println("smoke: " + what + " value " + i + ": cpu " + want[i] + ", gpu "
              + got[i]);
        }
      }
    }
    if (bad > 0) {
      failures++;
    }
  }
}
