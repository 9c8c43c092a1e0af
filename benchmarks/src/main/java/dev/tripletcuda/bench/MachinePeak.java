package dev.tripletcuda.bench;

import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the two ceilings the CPU figures are read against, with the same JVM and threads:
 * the FP32 fused multiply-add rate (independent FMA chains in registers, no memory traffic) and
 * the memory bandwidth of a STREAM-style triad, a = b + s c, over arrays far larger than the
 * caches, counted as STREAM counts it (12 bytes per element; the write-allocate read of a is
 * not counted). Prints one JSON object.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp benchmarks.jar
 * dev.tripletcuda.bench.MachinePeak [threads]}
 */
public final class MachinePeak {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /** Floats per triad array: 128 MiB each, four times a 32 MiB L3. */
  private static final int TRIAD_LENGTH = 32 << 20;

  private MachinePeak() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0])
        : Runtime.getRuntime().availableProcessors();
    if (threads < 1) {
      throw new IllegalArgumentException("threads=" + threads + ", expected >= 1");
    }
    double fma = bestOf(3, () -> fmaGflops(threads, 1.0));
    double triad = bestOf(3, () -> triadGbs(threads));
    System.out.printf(Locale.ROOT, "{\"threads\": %d, \"vector_bits\": %d, "
        + "\"fp32_fma_gflops\": %.1f, \"triad_gb_per_s\": %.1f}%n", threads, S.vectorBitSize(),
        fma, triad);
  }

  private interface Measure {
    double run() throws Exception;
  }

  private static double bestOf(int runs, Measure m) throws Exception {
    double best = 0;
    for (int i = 0; i < runs; i++) {
      best = Math.max(best, m.run());
    }
    return best;
  }

  /** GFLOP/s of all threads together, each running FMA chains for about seconds. */
  static double fmaGflops(int threads, double seconds) throws Exception {
    long[] rounds = new long[threads];
    float[] sink = new float[threads];
    long deadline = System.nanoTime() + (long) ((seconds + 0.1) * 1e9);
    double secs = onThreads(threads, id -> {
      long n = 0;
      float acc = 0;
      while (System.nanoTime() < deadline) {
        acc += chains(1 << 16);
        n++;
      }
      rounds[id] = n;
      sink[id] = acc;
    });
    long total = 0;
    for (long r : rounds) {
      total += r;
    }
    if (sink[0] == 42f) {
      System.err.print("");
    }
    // Per round: 2^16 steps x 12 chains x lanes x 2 flops.
    return (double) total * (1 << 16) * 12 * S.length() * 2 / secs / 1e9;
  }

  /** Twelve independent FMA chains: enough in flight to cover the FMA latency. */
  private static float chains(int steps) {
    FloatVector m = FloatVector.broadcast(S, 0.999999f);
    FloatVector c = FloatVector.broadcast(S, 1e-7f);
    FloatVector a0 = FloatVector.broadcast(S, 1f);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    FloatVector a4 = a0;
    FloatVector a5 = a0;
    FloatVector a6 = a0;
    FloatVector a7 = a0;
    FloatVector a8 = a0;
    FloatVector a9 = a0;
    FloatVector a10 = a0;
    FloatVector a11 = a0;
    for (int i = 0; i < steps; i++) {
      a0 = a0.fma(m, c);
      a1 = a1.fma(m, c);
      a2 = a2.fma(m, c);
      a3 = a3.fma(m, c);
      a4 = a4.fma(m, c);
      a5 = a5.fma(m, c);
      a6 = a6.fma(m, c);
      a7 = a7.fma(m, c);
      a8 = a8.fma(m, c);
      a9 = a9.fma(m, c);
      a10 = a10.fma(m, c);
      a11 = a11.fma(m, c);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9)
        .add(a10).add(a11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }

  /** GB/s of a = b + s c split over threads, the best of five passes. */
  static double triadGbs(int threads) throws Exception {
    float[] a = new float[TRIAD_LENGTH];
    float[] b = new float[TRIAD_LENGTH];
    float[] c = new float[TRIAD_LENGTH];
    java.util.Arrays.fill(b, 1f);
    java.util.Arrays.fill(c, 2f);
    int chunk = (TRIAD_LENGTH + threads - 1) / threads;
    double best = 0;
    for (int pass = 0; pass < 5; pass++) {
      double secs = onThreads(threads, id -> {
        int hi = Math.min(TRIAD_LENGTH, (id + 1) * chunk);
        for (int i = id * chunk; i < hi; i++) {
          a[i] = b[i] + 3f * c[i];
        }
      });
      best = Math.max(best, 12.0 * TRIAD_LENGTH / secs / 1e9);
    }
    return best;
  }

  /** Runs body(0 .. threads-1) on as many threads, started together; returns the seconds. */
  private static double onThreads(int threads, java.util.function.IntConsumer body)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    Thread[] ts = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      ts[t] = new Thread(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        body.accept(id);
      });
      ts[t].start();
    }
    start.await();
    long t0 = System.nanoTime();
    for (Thread t : ts) {
      t.join();
    }
    return (System.nanoTime() - t0) / 1e9;
  }
}
