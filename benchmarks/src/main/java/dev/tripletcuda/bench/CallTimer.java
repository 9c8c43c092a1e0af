package dev.tripletcuda.bench;

import java.util.Arrays;

/**
 * Times one repeated call the way {@code benchmarks/torch_peer.py} times PyTorch's, so that
 * both sides of the comparison are measured alike: calls back to back for a warm-up period,
 * then a number of samples, each as many calls as fill a minimum duration; the figure is the
 * median of the samples' time per call. The call itself must wait for its device.
 */
final class CallTimer {

  /** Per-call times in milliseconds: the median sample, the fastest and the slowest. */
  record Timing(double medianMs, double minMs, double maxMs, int callsPerSample, int samples) {}

  private CallTimer() {}

  /**
   * @param call one call of the work, synchronised
   * @param warmupSeconds run the call for this long first (at least twice)
   * @param samples number of timed samples, &gt;= 1
   * @param sampleSeconds each sample runs at least this long
   */
  static Timing time(Runnable call, double warmupSeconds, int samples, double sampleSeconds) {
    if (samples < 1) {
      throw new IllegalArgumentException("samples=" + samples + ", expected >= 1");
    }
    // Warm-up; the mean of its second half sizes the samples.
    long start = System.nanoTime();
    long deadline = start + (long) (warmupSeconds * 1e9);
    int calls = 0;
    long lastHalfStart = start;
    int lastHalfCalls = 0;
    while (calls < 2 || System.nanoTime() < deadline) {
      long t = System.nanoTime();
      if (t - start < (deadline - start) / 2) {
        lastHalfStart = t;
        lastHalfCalls = 0;
      }
      call.run();
      calls++;
      lastHalfCalls++;
    }
    double perCall = (System.nanoTime() - lastHalfStart) / 1e9 / Math.max(1, lastHalfCalls);
    int n = (int) Math.max(1, Math.ceil(sampleSeconds / Math.max(perCall, 1e-9)));

    double[] ms = new double[samples];
    for (int s = 0; s < samples; s++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        call.run();
      }
      ms[s] = (System.nanoTime() - t0) / 1e6 / n;
    }
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median = samples % 2 == 1 ? sorted[samples / 2]
        : (sorted[samples / 2 - 1] + sorted[samples / 2]) / 2;
    return new Timing(median, sorted[0], sorted[samples - 1], n, samples);
  }
}
