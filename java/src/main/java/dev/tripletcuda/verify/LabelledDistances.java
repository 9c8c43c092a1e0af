package dev.tripletcuda.verify;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import java.util.Arrays;

/**
 * Distances with the truth about each: pairs (or episodes) whose two sides are of one class
 * ("same", positives) or not. What calibrations are fitted on and what ROC figures are computed
 * from. Immutable; the arrays are not copied, so callers must not change them.
 */
public final class LabelledDistances {

  /** (P) finite distances. */
  private final float[] distances;
  /** (P) whether each pair is same-class. */
  private final boolean[] same;
  private final long positives;
  /** The sorted keys once computed. */
  private volatile long[] sorted;

  /**
   * @throws IllegalArgumentException when the lengths differ or a distance is not finite
   */
  public LabelledDistances(float[] distances, boolean[] same) {
    requireNonNull("distances", distances);
    requireNonNull("same", same);
    if (distances.length != same.length) {
      throw new IllegalArgumentException("distances has " + distances.length
          + " entries but same has " + same.length);
    }
    long pos = 0;
    for (int i = 0; i < distances.length; i++) {
      if (!Float.isFinite(distances[i])) {
        throw new IllegalArgumentException("distances[" + i + "]=" + distances[i]
            + ", expected a finite number");
      }
      if (same[i]) {
        pos++;
      }
    }
    this.distances = distances;
    this.same = same;
    this.positives = pos;
  }

  /** Number of pairs. */
  public int size() {
    return distances.length;
  }

  public float distance(int i) {
    return distances[i];
  }

  public boolean same(int i) {
    return same[i];
  }

  /** Same-class pairs. */
  public long positives() {
    return positives;
  }

  /** Other pairs. */
  public long negatives() {
    return distances.length - positives;
  }

  /**
   * The pairs as sortable keys, ascending by distance, positives after negatives at equal
   * distance: key = (order-preserving bits of the distance) * 2 + (same ? 1 : 0). Read them
   * back with {@link #keyDistance} and {@link #keySame}.
   */
  public long[] sortedKeys() {
    long[] keys = sorted;
    if (keys == null) {
      keys = new long[distances.length];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = ((long) sortable(distances[i]) << 1) | (same[i] ? 1 : 0);
      }
      Arrays.parallelSort(keys);
      // Racing threads compute equal arrays; either may stay.
      sorted = keys;
    }
    return keys.clone();
  }

  /** The distance of a key from {@link #sortedKeys}. */
  public static float keyDistance(long key) {
    int s = (int) (key >> 1);
    return Float.intBitsToFloat(s < 0 ? s ^ 0x7FFFFFFF : s);
  }

  /** Whether the pair of a key is same-class. */
  public static boolean keySame(long key) {
    return (key & 1) != 0;
  }

  /** Whether two keys hold the same distance. */
  public static boolean sameDistance(long a, long b) {
    return (a >> 1) == (b >> 1);
  }

  /** Order-preserving int of a float (-0 as +0): negative floats have their bits flipped. */
  private static int sortable(float d) {
    int bits = Float.floatToIntBits(d + 0f);
    return bits < 0 ? bits ^ 0x7FFFFFFF : bits;
  }
}
