package dev.tripletcuda.train;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Draws batches of P classes x K samples. Classes are taken in shuffled rounds, so every class
 * appears equally often; within a class, samples are taken in shuffled rounds of its own, so
 * every sample is seen before any repeats. Batches are class-major: the K rows of the first
 * class, then the next.
 *
 * <p>All state (the generator, the orders and the cursors) can be saved and restored, so a
 * resumed run draws the same batches as one that was not interrupted.
 */
public final class PkSampler {

  private final int p;
  private final int k;
  private final SplitMix64 rng;
  /** Class ids that take part (all classes with rows). */
  private final int[] classes;
  /** Per class id: its rows, in the current shuffled order. */
  private final int[][] members;
  private final int[] memberCursor;
  /** The current shuffled order of {@link #classes}. */
  private final int[] classOrder;
  private int classCursor;

  /**
   * @param labels (N) class id per row
   * @param classCount number of class ids
   * @param p classes per batch
   * @param k samples per class
   * @param classNames names by class id, for messages; null to name classes by id
   * @throws IllegalArgumentException when fewer than p classes have rows or a class has fewer
   *     than k rows; the message suggests values that work
   */
  public PkSampler(int[] labels, int classCount, int p, int k, List<String> classNames,
      SplitMix64 rng) {
    if (p < 2) {
      throw new IllegalArgumentException("classes per batch=" + p
          + ", expected >= 2 (a triplet needs a second class)");
    }
    if (k < 2) {
      throw new IllegalArgumentException("samples per class=" + k
          + ", expected >= 2 (a triplet needs a second sample of its class)");
    }
    requireNonNull("labels", labels);
    this.rng = requireNonNull("rng", rng);
    if (classCount < 0) {
      throw new IllegalArgumentException("classCount=" + classCount + ", expected >= 0");
    }
    if (classNames != null && classNames.size() != classCount) {
      throw new IllegalArgumentException("classNames has " + classNames.size()
          + " names, expected classCount=" + classCount);
    }
    this.p = p;
    this.k = k;
    int[] counts = new int[classCount];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classCount) {
        throw new IllegalArgumentException("labels[" + i + "]=" + labels[i] + ", expected 0.."
            + (classCount - 1) + " (classCount=" + classCount + ")");
      }
      counts[labels[i]]++;
    }
    List<Integer> present = new ArrayList<>();
    int smallest = Integer.MAX_VALUE;
    int smallestClass = -1;
    for (int c = 0; c < classCount; c++) {
      if (counts[c] > 0) {
        present.add(c);
        if (counts[c] < smallest) {
          smallest = counts[c];
          smallestClass = c;
        }
      }
    }
    if (present.size() < p) {
      throw new IllegalArgumentException("the training data has " + present.size()
          + " classes, fewer than " + p + " classes per batch; use --classes-per-batch "
          + Math.max(2, present.size()) + " or fewer");
    }
    if (smallest < k) {
      String name = classNames == null ? "id " + smallestClass
          : "'" + classNames.get(smallestClass) + "'";
      throw new IllegalArgumentException("class " + name + " has " + smallest
          + " training samples, fewer than " + k + " samples per class; use --per-class "
          + smallest + " or fewer" + (smallest < 2 ? ", or drop classes with one sample" : ""));
    }
    classes = present.stream().mapToInt(Integer::intValue).toArray();
    members = new int[classCount][];
    memberCursor = new int[classCount];
    int[] fill = new int[classCount];
    for (int c : classes) {
      members[c] = new int[counts[c]];
    }
    for (int i = 0; i < labels.length; i++) {
      members[labels[i]][fill[labels[i]]++] = i;
    }
    for (int c : classes) {
      shuffle(members[c]);
    }
    classOrder = classes.clone();
    shuffle(classOrder);
  }

  /** Rows per batch, P * K. */
  public int batchSize() {
    return p * k;
  }

  /** Fills rows (P*K) with the next batch's row indices and labels (P*K) with their ids. */
  public void next(int[] rows, int[] labels) {
    requireNonNull("rows", rows);
    requireNonNull("labels", labels);
    if (rows.length < p * k || labels.length < p * k) {
      throw new IllegalArgumentException("rows has " + rows.length + " and labels "
          + labels.length + " entries, expected at least P*K=" + p * k);
    }
    int at = 0;
    for (int i = 0; i < p; i++) {
      if (classCursor == classOrder.length) {
        shuffle(classOrder);
        classCursor = 0;
      }
      // A class drawn twice in one round boundary is skipped for a fresh one.
      int c = classOrder[classCursor++];
      if (containsClass(labels, at, c)) {
        i--;
        continue;
      }
      int[] m = members[c];
      if (m.length - memberCursor[c] < k) {
        startRound(m, memberCursor[c]);
        memberCursor[c] = 0;
      }
      for (int j = 0; j < k; j++) {
        rows[at] = m[memberCursor[c]++];
        labels[at++] = c;
      }
    }
  }

  /**
   * Starts a new round of a class's rows: the r not yet drawn this round come first, then the
   * rest shuffled. Every row is seen once per round, and a block of K never repeats a row.
   */
  private void startRound(int[] m, int cursor) {
    int r = m.length - cursor;
    for (int i = 0; i < r; i++) {
      int t = m[i];
      m[i] = m[cursor + i];
      m[cursor + i] = t;
    }
    for (int i = m.length - 1; i > r; i--) {
      int j = r + (int) Long.remainderUnsigned(rng.nextLong(), i - r + 1);
      int t = m[i];
      m[i] = m[j];
      m[j] = t;
    }
  }

  /**
   * Throws unless a state of the right size holds cursors in range and, for the class order
   * and each class's rows, a permutation of what this sampler holds: anything else would send
   * the sampler out of its arrays.
   */
  private void checkState(int[] s) {
    if (s[2] < 0 || s[2] > classOrder.length) {
      throw new IllegalArgumentException("sampler state: class cursor " + s[2]
          + ", expected 0.." + classOrder.length);
    }
    int at = 3;
    requirePermutation(s, at, classes, "the class order");
    at += classOrder.length;
    for (int c : classes) {
      int n = members[c].length;
      if (s[at] < 0 || s[at] > n) {
        throw new IllegalArgumentException("sampler state: cursor " + s[at] + " of class id "
            + c + ", expected 0.." + n);
      }
      requirePermutation(s, at + 1, members[c], "the rows of class id " + c);
      at += 1 + n;
    }
  }

  private static void requirePermutation(int[] s, int from, int[] expected, String what) {
    int[] got = java.util.Arrays.copyOfRange(s, from, from + expected.length);
    int[] want = expected.clone();
    java.util.Arrays.sort(got);
    java.util.Arrays.sort(want);
    if (!java.util.Arrays.equals(got, want)) {
      throw new IllegalArgumentException("sampler state: " + what + " is not a reordering "
          + "of the training data's: it was saved for other training data");
    }
  }

  private boolean containsClass(int[] labels, int filled, int c) {
    for (int i = 0; i < filled; i += k) {
      if (labels[i] == c) {
        return true;
      }
    }
    return false;
  }

  private void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = (int) Long.remainderUnsigned(rng.nextLong(), i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** The sampler's whole state as ints, for checkpoints. */
  public int[] saveState() {
    int size = 3 + classOrder.length;
    for (int c : classes) {
      size += 1 + members[c].length;
    }
    int[] s = new int[size];
    long g = rng.state();
    s[0] = (int) (g >>> 32);
    s[1] = (int) g;
    s[2] = classCursor;
    int at = 3;
    System.arraycopy(classOrder, 0, s, at, classOrder.length);
    at += classOrder.length;
    for (int c : classes) {
      s[at++] = memberCursor[c];
      System.arraycopy(members[c], 0, s, at, members[c].length);
      at += members[c].length;
    }
    return s;
  }

  /** Restores a state from {@link #saveState()} of a sampler over the same labels. */
  public void restoreState(int[] s) {
    requireNonNull("state", s);
    int size = 3 + classOrder.length;
    for (int c : classes) {
      size += 1 + members[c].length;
    }
    if (s.length != size) {
      throw new IllegalArgumentException("sampler state has " + s.length + " ints, expected "
          + size + ": it was saved for other training data");
    }
    checkState(s);
    rng.setState(((long) s[0] << 32) | (s[1] & 0xFFFFFFFFL));
    classCursor = s[2];
    int at = 3;
    System.arraycopy(s, at, classOrder, 0, classOrder.length);
    at += classOrder.length;
    for (int c : classes) {
      memberCursor[c] = s[at++];
      System.arraycopy(s, at, members[c], 0, members[c].length);
      at += members[c].length;
    }
  }
}
