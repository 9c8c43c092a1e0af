package dev.tripletcuda.train;

import java.util.random.RandomGenerator;

/**
 * Steele, Lea and Flood's SplitMix64 generator: one 64-bit state, so a checkpoint can store and
 * restore it exactly, and the same seed gives the same stream on every JVM.
 */
public final class SplitMix64 implements RandomGenerator {

  private long state;

  public SplitMix64(long seed) {
    this.state = seed;
  }

  @Override
  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The whole state, for checkpoints. */
  public long state() {
    return state;
  }

  /** Restores a state saved by {@link #state()}. */
  public void setState(long state) {
    this.state = state;
  }

  /** An independent stream for another purpose, derived from this seed and a tag. */
  public static SplitMix64 derive(long seed, long tag) {
    SplitMix64 g = new SplitMix64(seed ^ (tag * 0xD1B54A32D192ED03L));
    g.nextLong();
    return g;
  }
}
