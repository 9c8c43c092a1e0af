package dev.tripletcuda.verify;

import dev.tripletcuda.backend.Shapes;
import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.train.SplitMix64;
import java.util.ArrayList;
import java.util.List;

/**
 * Few-shot episodes on labelled embeddings. A class is represented by its prototype: the mean
 * of K support embeddings. A query is compared with a prototype by the squared L2 distance.
 *
 * <ul>
 *   <li>Verification episode: a class with at least K + 1 rows is drawn, then K distinct support
 *       rows of it; the query is another row of that class in even-numbered episodes, a row of
 *       a different class (drawn uniformly among the other classes, then a row uniformly) in
 *       odd-numbered ones, so exactly half the episodes match. Outcome: the query's distance to
 *       the prototype and whether it matches.
 *   <li>N-way K-shot episode: N distinct classes with at least K + Q rows are drawn, then K
 *       support and Q query rows of each, all distinct; every query goes to the nearest of the
 *       N prototypes (ties to the first drawn class).
 * </ul>
 *
 * <p>Episodes come from a SplitMix64 stream of the seed, so they repeat exactly. The distance
 * arithmetic is host-side (double accumulation): an episode is a few dot products.
 */
public final class FewShot {

  /** Support embeddings per prototype by default. */
  public static final int DEFAULT_SHOTS = 3;

  private FewShot() {}

  /** The mean (D) of the K rows of supports (K, D); K &gt;= 1. */
  public static float[] prototype(float[] supports, int dim) {
    requireNonNull("supports", supports);
    if (dim < 1 || supports.length == 0 || supports.length % dim != 0) {
      throw new IllegalArgumentException("supports has " + supports.length + " values, "
          + "expected K >= 1 rows of dim " + dim);
    }
    int k = supports.length / dim;
    double[] sum = new double[dim];
    for (int r = 0; r < k; r++) {
      for (int j = 0; j < dim; j++) {
        sum[j] += supports[r * dim + j];
      }
    }
    float[] out = new float[dim];
    for (int j = 0; j < dim; j++) {
      out[j] = (float) (sum[j] / k);
    }
    return out;
  }

  /** ||a[ai..ai+dim) - b[bi..bi+dim)||^2, accumulated in double. */
  public static double squaredDistance(float[] a, int ai, float[] b, int bi, int dim) {
    Shapes.requireNonNull("a", a);
    Shapes.requireNonNull("b", b);
    double s = 0;
    for (int j = 0; j < dim; j++) {
      double d = (double) a[ai + j] - b[bi + j];
      s += d * d;
    }
    return s;
  }

  /**
   * The nearest prototype of each query.
   *
   * @param prototypes (C, D), C &gt;= 1
   * @param queries (Q, D)
   * @return (Q) prototype rows; ties go to the lower row
   */
  public static int[] nearestPrototype(float[] prototypes, float[] queries, int dim) {
    requireNonNull("prototypes", prototypes);
    requireNonNull("queries", queries);
    if (dim < 1 || prototypes.length == 0 || prototypes.length % dim != 0) {
      throw new IllegalArgumentException("prototypes has " + prototypes.length + " values, "
          + "expected C >= 1 rows of dim " + dim);
    }
    if (queries.length % dim != 0) {
      throw new IllegalArgumentException("queries has " + queries.length + " values, not a "
          + "multiple of dim " + dim);
    }
    int c = prototypes.length / dim;
    int[] out = new int[queries.length / dim];
    for (int q = 0; q < out.length; q++) {
      int best = 0;
      double bestD = Double.POSITIVE_INFINITY;
      for (int p = 0; p < c; p++) {
        double d = squaredDistance(queries, q * dim, prototypes, p * dim, dim);
        if (d < bestD) {
          bestD = d;
          best = p;
        }
      }
      out[q] = best;
    }
    return out;
  }

  /**
   * Verification episodes (see the class comment).
   *
   * @param embeddings (N, D)
   * @param labels (N) class ids
   * @param shots K &gt;= 1
   * @param episodes &gt;= 1
   * @throws IllegalArgumentException when no class has K + 1 rows or only one class has rows
   */
  public static LabelledDistances verificationEpisodes(float[] embeddings, int[] labels,
      int dim, int shots, int episodes, long seed) {
    Pairs.checkRows(embeddings, labels, dim);
    checkCounts(shots, episodes);
    int[][] byClass = byClass(labels);
    List<Integer> eligible = eligible(byClass, shots + 1);
    if (eligible.isEmpty() || byClass.length < 2) {
      throw new IllegalArgumentException("few-shot verification with " + shots + " shots needs "
          + "a class with at least " + (shots + 1) + " rows and at least two classes; the "
          + "data has " + byClass.length + " classes, " + eligible.size() + " of them large "
          + "enough");
    }
    SplitMix64 rng = new SplitMix64(seed);
    float[] distances = new float[episodes];
    boolean[] same = new boolean[episodes];
    float[] supports = new float[shots * dim];
    for (int e = 0; e < episodes; e++) {
      int c = eligible.get(rng.nextInt(eligible.size()));
      int[] rows = byClass[c];
      draw(rows, shots + 1, rng);
      for (int s = 0; s < shots; s++) {
        System.arraycopy(embeddings, rows[s] * dim, supports, s * dim, dim);
      }
      int query;
      if (e % 2 == 0) {
        query = rows[shots];
      } else {
        int other = rng.nextInt(byClass.length - 1);
        int[] otherRows = byClass[other >= c ? other + 1 : other];
        query = otherRows[rng.nextInt(otherRows.length)];
      }
      float[] proto = prototype(supports, dim);
      distances[e] = (float) squaredDistance(embeddings, query * dim, proto, 0, dim);
      same[e] = e % 2 == 0;
    }
    return new LabelledDistances(distances, same);
  }

  /**
   * The accuracy of nearest-prototype classification over N-way K-shot episodes (see the class
   * comment): correct queries / all queries.
   *
   * @param ways N &gt;= 2
   * @param shots K &gt;= 1
   * @param queriesPerClass Q &gt;= 1
   * @throws IllegalArgumentException when fewer than N classes have K + Q rows
   */
  public static double nWayAccuracy(float[] embeddings, int[] labels, int dim, int ways,
      int shots, int queriesPerClass, int episodes, long seed) {
    Pairs.checkRows(embeddings, labels, dim);
    checkCounts(shots, episodes);
    if (ways < 2 || queriesPerClass < 1) {
      throw new IllegalArgumentException("ways=" + ways + ", queriesPerClass="
          + queriesPerClass + ", expected ways >= 2 and queriesPerClass >= 1");
    }
    int[][] byClass = byClass(labels);
    List<Integer> eligible = eligible(byClass, shots + queriesPerClass);
    if (eligible.size() < ways) {
      throw new IllegalArgumentException(ways + "-way " + shots + "-shot episodes with "
          + queriesPerClass + " queries per class need " + ways + " classes of at least "
          + (shots + queriesPerClass) + " rows; the data has " + eligible.size());
    }
    int[] classes = eligible.stream().mapToInt(Integer::intValue).toArray();
    SplitMix64 rng = new SplitMix64(seed);
    float[] prototypes = new float[ways * dim];
    float[] supports = new float[shots * dim];
    float[] queries = new float[ways * queriesPerClass * dim];
    long correct = 0;
    for (int e = 0; e < episodes; e++) {
      draw(classes, ways, rng);
      for (int w = 0; w < ways; w++) {
        int[] rows = byClass[classes[w]];
        draw(rows, shots + queriesPerClass, rng);
        for (int s = 0; s < shots; s++) {
          System.arraycopy(embeddings, rows[s] * dim, supports, s * dim, dim);
        }
        System.arraycopy(prototype(supports, dim), 0, prototypes, w * dim, dim);
        for (int q = 0; q < queriesPerClass; q++) {
          System.arraycopy(embeddings, rows[shots + q] * dim, queries,
              (w * queriesPerClass + q) * dim, dim);
        }
      }
      int[] nearest = nearestPrototype(prototypes, queries, dim);
      for (int i = 0; i < nearest.length; i++) {
        if (nearest[i] == i / queriesPerClass) {
          correct++;
        }
      }
    }
    return (double) correct / ((long) episodes * ways * queriesPerClass);
  }

  private static void checkCounts(int shots, int episodes) {
    if (shots < 1) {
      throw new IllegalArgumentException("shots=" + shots + ", expected >= 1");
    }
    if (episodes < 1) {
      throw new IllegalArgumentException("episodes=" + episodes + ", expected >= 1");
    }
  }

  /** Moves a uniform random choice of m distinct entries to the front (partial shuffle). */
  private static void draw(int[] a, int m, SplitMix64 rng) {
    for (int i = 0; i < m; i++) {
      int j = i + rng.nextInt(a.length - i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Rows of each class that has any, in ascending class id order. */
  private static int[][] byClass(int[] labels) {
    int max = -1;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("labels[" + i + "]=" + labels[i]
            + ", expected a class id >= 0");
      }
      max = Math.max(max, labels[i]);
    }
    int[] counts = new int[max + 1];
    for (int l : labels) {
      counts[l]++;
    }
    List<int[]> out = new ArrayList<>();
    int[] slot = new int[max + 1];
    int[][] rows = new int[max + 1][];
    for (int c = 0; c <= max; c++) {
      if (counts[c] > 0) {
        rows[c] = new int[counts[c]];
        out.add(rows[c]);
      }
    }
    for (int i = 0; i < labels.length; i++) {
      rows[labels[i]][slot[labels[i]]++] = i;
    }
    return out.toArray(new int[0][]);
  }

  /** Positions in byClass of the classes with at least min rows. */
  private static List<Integer> eligible(int[][] byClass, int min) {
    List<Integer> out = new ArrayList<>();
    for (int c = 0; c < byClass.length; c++) {
      if (byClass[c].length >= min) {
        out.add(c);
      }
    }
    return out;
  }
}
