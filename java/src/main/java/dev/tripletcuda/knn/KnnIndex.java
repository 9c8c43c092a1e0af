package dev.tripletcuda.knn;

import dev.tripletcuda.backend.Shapes;
import static dev.tripletcuda.backend.Shapes.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.io.InvalidDataException;
import dev.tripletcuda.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact k-nearest-neighbour search over a fixed set of vectors (N, D), with optional labels
 * and ids: every query is compared with every row, so the answer is the true one, never an
 * approximation. The rows live on a {@link Backend} and the search runs there
 * ({@link Backend#knn}): distance tiles and a bounded selection, so memory stays bounded for any
 * number of queries and rows, and any k from 1 to N works.
 *
 * <p>Results are sorted by distance, ties by the lower row, so the same search repeats exactly.
 *
 * <p>Thread safety: searches and classifications may run from many threads at once. Each call
 * holds the backend's monitor ({@code synchronized (backend)}) while it uses the backend, so
 * calls sharing one backend run one after another; give threads their own backends (and
 * indexes) to run them in parallel. Close the index when done to free the backend memory.
 */
public final class KnnIndex implements AutoCloseable {

  /** The {@code format} metadata entry of index files. */
  public static final String FORMAT = "tripletcuda-knn-index-v1";

  /** Query rows times max(k, D) held on the backend at once by one search. */
  static final int QUERY_BLOCK_ELEMENTS = 1 << 22;

  /** Added to distances before inverting them into vote weights. */
  static final double WEIGHT_EPSILON = 1e-6;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Backend backend;
  private final Metric metric;
  private final int size;
  private final int dim;
  /** (N, D) the vectors as given. */
  private final float[] vectors;
  /** (N) class ids into classNames, or null when unlabelled. */
  private final int[] labels;
  private final List<String> classNames;
  /** (N) ids, or null when rows are known by number. */
  private final List<String> ids;
  private final Map<String, String> metadata;
  /** (N, D) on the backend: the vectors, unit length for the cosine metric. */
  private final Tensor base;
  /** (N, 1) squared norms of base's rows. */
  private final Tensor norms;
  private boolean closed;

  private KnnIndex(Builder b, Backend backend) {
    this.backend = backend;
    this.metric = b.metric;
    this.dim = b.dim;
    this.size = b.vectors.length / b.dim;
    this.vectors = b.vectors;
    this.labels = b.labels;
    this.classNames = b.classNames;
    this.ids = b.ids;
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
    float[] stored = metric == Metric.COSINE ? unitRows("vectors", vectors, size, dim) : vectors;
    synchronized (backend) {
      Tensor t = backend.allocate(size, dim);
      Tensor n = null;
      try {
        n = backend.allocate(size, 1);
        backend.upload(stored, 0, t);
        backend.rowSquaredNorms(t, n);
      } catch (RuntimeException e) {
        t.close();
        if (n != null) {
          n.close();
        }
        throw e;
      }
      this.base = t;
      this.norms = n;
    }
  }

  /**
   * Starts an index over vectors (N, D) row-major, N &gt;= 1.
   *
   * @param vectors kept as given (not copied): do not modify them afterwards
   */
  public static Builder builder(float[] vectors, int dim) {
    return new Builder(vectors, dim);
  }

  /** Collects what an index holds; {@link #build} checks it all. */
  public static final class Builder {
    private final float[] vectors;
    private final int dim;
    private int[] labels;
    private List<String> classNames;
    private List<String> ids;
    private Metric metric = Metric.SQUARED_L2;
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private Builder(float[] vectors, int dim) {
      this.vectors = requireNonNull("vectors", vectors);
      this.dim = dim;
    }

    /**
     * Class ids (N) of the rows and the names of the ids; names may be null, giving "0", "1",
     * ... up to the largest id.
     */
    public Builder labels(int[] labels, List<String> classNames) {
      this.labels = requireNonNull("labels", labels).clone();
      this.classNames = classNames == null ? null : List.copyOf(classNames);
      return this;
    }

    /** Ids (N) reported for the rows; without them rows are known by number. */
    public Builder ids(List<String> ids) {
      this.ids = List.copyOf(requireNonNull("ids", ids));
      return this;
    }

    /** The distance; squared L2 unless set. */
    public Builder metric(Metric metric) {
      this.metric = requireNonNull("metric", metric);
      return this;
    }

    /** Free-form facts saved with the index, such as the model that made the vectors. */
    public Builder metadata(Map<String, String> entries) {
      metadata.putAll(requireNonNull("entries", entries));
      return this;
    }

    /** Checks everything and uploads the rows to the backend. */
    public KnnIndex build(Backend backend) {
      requireNonNull("backend", backend);
      if (dim < 1) {
        throw new IllegalArgumentException("dim=" + dim + ", expected >= 1");
      }
      if (vectors.length == 0 || vectors.length % dim != 0) {
        throw new IllegalArgumentException("vectors has " + vectors.length + " values, "
            + "expected a positive multiple of dim=" + dim + " (an index needs at least one "
            + "row)");
      }
      int n = vectors.length / dim;
      requireFinite("vectors", vectors, dim);
      if (labels != null) {
        if (labels.length != n) {
          throw new IllegalArgumentException("labels has " + labels.length
              + " entries, expected one per row: " + n);
        }
        int max = -1;
        for (int i = 0; i < n; i++) {
          if (labels[i] < 0) {
            throw new IllegalArgumentException("labels[" + i + "]=" + labels[i]
                + ", expected a class id >= 0");
          }
          max = Math.max(max, labels[i]);
        }
        if (classNames == null) {
          List<String> names = new ArrayList<>();
          for (int c = 0; c <= max; c++) {
            names.add(Integer.toString(c));
          }
          classNames = List.copyOf(names);
        } else if (max >= classNames.size()) {
          throw new IllegalArgumentException("labels hold class id " + max + " but only "
              + classNames.size() + " class names are given");
        }
      }
      if (ids != null && ids.size() != n) {
        throw new IllegalArgumentException("ids has " + ids.size()
            + " entries, expected one per row: " + n);
      }
      return new KnnIndex(this, backend);
    }
  }

  /** Number of rows N. */
  public int size() {
    return size;
  }

  /** Row dimension D. */
  public int dim() {
    return dim;
  }

  public Metric metric() {
    return metric;
  }

  public Backend backend() {
    return backend;
  }

  /** Whether the rows carry class labels. */
  public boolean labelled() {
    return labels != null;
  }

  /** The class id of a row; the index must be labelled. */
  public int label(int row) {
    requireLabels();
    return labels[checkRow(row)];
  }

  /** Class names by id; empty when unlabelled. */
  public List<String> classNames() {
    return classNames == null ? List.of() : classNames;
  }

  /** The id of a row: the one given, or the row number. */
  public String id(int row) {
    checkRow(row);
    return ids == null ? Integer.toString(row) : ids.get(row);
  }

  /** Whether ids were given. */
  public boolean hasIds() {
    return ids != null;
  }

  /** The metadata saved with the index. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The k nearest rows of each query.
   *
   * @param queries (Q, D) row-major; Q may be 0
   * @param k 1..N
   * @throws IllegalArgumentException for k outside 1..N, a query length that is not a multiple
   *     of D, a non-finite value, or (cosine) a zero query
   */
  public Neighbors search(float[] queries, int k) {
    int q = checkQueries(queries, k);
    float[] input = metric == Metric.COSINE ? unitRows("queries", queries, q, dim) : queries;
    int[] rows = new int[q * k];
    float[] dist = new float[q * k];
    if (q == 0) {
      return new Neighbors(0, k, rows, dist);
    }
    // Enough query rows per pass to keep the backend busy, few enough to bound its memory.
    int block = (int) Math.max(1, Math.min(q, QUERY_BLOCK_ELEMENTS / Math.max(k, dim)));
    synchronized (backend) {
      checkOpen();
      try (Tensor qt = backend.allocate(block, dim);
          Tensor dt = backend.allocate(block, k);
          IntTensor it = backend.allocateInts(block * k)) {
        for (int start = 0; start < q; start += block) {
          int count = Math.min(block, q - start);
          Tensor qv = qt.rows(0, count);
          Tensor dv = dt.rows(0, count);
          IntTensor iv = it.slice(0, count * k);
          backend.upload(input, start * dim, qv);
          backend.knn(qv, base, norms, k, metric == Metric.INNER_PRODUCT, iv, dv);
          backend.download(iv, rows, start * k);
          backend.download(dv, dist, start * k);
        }
      }
    }
    if (metric == Metric.COSINE) {
      // Unit vectors: ||a - b||^2 = 2 - 2 cos; halving is exact, so order and ties stay.
      for (int i = 0; i < dist.length; i++) {
        dist[i] *= 0.5f;
      }
    }
    return new Neighbors(q, k, rows, dist);
  }

  /**
   * The kNN class of each query: the label with the most votes among its k nearest rows, each
   * neighbour one vote, or with {@code distanceWeighted} 1 / (distance + 1e-6). A tie goes to
   * the tied label whose nearest member ranks first among the neighbours, so the result does not
   * depend on label numbering.
   *
   * @param queries (Q, D)
   * @return (Q) class ids into {@link #classNames()}
   * @throws IllegalStateException when the index has no labels
   * @throws IllegalArgumentException for distance weighting with the inner product, whose
   *     distances can be negative
   */
  public int[] classify(float[] queries, int k, boolean distanceWeighted) {
    requireLabels();
    if (distanceWeighted && metric == Metric.INNER_PRODUCT) {
      throw new IllegalArgumentException("distance weighting needs non-negative distances; "
          + "the inner-product metric has negative ones (use squared-l2 or cosine, or vote "
          + "unweighted)");
    }
    Neighbors nn = search(queries, k);
    int[] out = new int[nn.queries()];
    double[] score = new double[classNames.size()];
    int[] firstRank = new int[classNames.size()];
    Arrays.fill(firstRank, -1);
    int[] touched = new int[k];
    for (int q = 0; q < nn.queries(); q++) {
      int count = 0;
      for (int r = 0; r < k; r++) {
        int c = labels[nn.row(q, r)];
        if (firstRank[c] < 0) {
          firstRank[c] = r;
          touched[count++] = c;
        }
        score[c] += distanceWeighted ? 1.0 / (nn.distance(q, r) + WEIGHT_EPSILON) : 1.0;
      }
      // Touched labels are in order of their first rank: the first best one wins ties.
      int best = touched[0];
      for (int i = 1; i < count; i++) {
        if (score[touched[i]] > score[best]) {
          best = touched[i];
        }
      }
      out[q] = best;
      for (int i = 0; i < count; i++) {
        score[touched[i]] = 0;
        firstRank[touched[i]] = -1;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Files

  /**
   * Saves the index as safetensors, atomically: tensor {@code vectors} (N, D), tensor
   * {@code labels} (N) (class ids as F32, exact below 2^24) when labelled; metadata
   * {@code format}, {@code metric}, {@code classes} and {@code ids} (JSON arrays of strings) and
   * the builder's metadata.
   */
  public void save(Path path) throws IOException {
    Map<String, SafeTensors.Entry> tensors = new LinkedHashMap<>();
    tensors.put("vectors", new SafeTensors.Entry(new long[] {size, dim}, vectors));
    if (labels != null) {
      float[] l = new float[size];
      for (int i = 0; i < size; i++) {
        l[i] = labels[i];
      }
      tensors.put("labels", new SafeTensors.Entry(new long[] {size}, l));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("metric", metric.id());
    if (labels != null) {
      meta.put("classes", JSON.writeValueAsString(classNames));
    }
    if (ids != null) {
      meta.put("ids", JSON.writeValueAsString(ids));
    }
    metadata.forEach(meta::putIfAbsent);
    SafeTensors.write(path, tensors, meta);
  }

  /**
   * Loads an index saved by {@link #save} onto a backend; a file that is not one is an
   * {@link InvalidDataException} naming what is wrong.
   */
  public static KnnIndex load(Path path, Backend backend) {
    Shapes.requireNonNull("path", path);
    Shapes.requireNonNull("backend", backend);
    String name = path.toString();
    SafeTensors.Contents c = SafeTensors.read(path);
    Map<String, String> meta = new LinkedHashMap<>(c.metadata());
    if (!FORMAT.equals(meta.get("format"))) {
      throw new InvalidDataException(name, "metadata 'format'", "is "
          + (meta.get("format") == null ? "missing" : "'" + meta.get("format") + "'")
          + ", expected '" + FORMAT + "' (not a saved index)");
    }
    SafeTensors.Entry v = c.tensors().get("vectors");
    if (v == null || v.shape().length != 2 || v.shape()[0] < 1 || v.shape()[1] < 1) {
      throw new InvalidDataException(name, "tensor 'vectors'", v == null ? "missing"
          : "shape " + Arrays.toString(v.shape()) + ", expected (N, D) with N, D >= 1");
    }
    int n = (int) v.shape()[0];
    int d = (int) v.shape()[1];
    Metric metric;
    try {
      metric = Metric.parse(meta.getOrDefault("metric", ""));
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(name, "metadata 'metric'", e.getMessage());
    }
    Builder b = builder(v.values(), d).metric(metric);
    SafeTensors.Entry l = c.tensors().get("labels");
    if (l != null) {
      if (l.shape().length != 1 || l.shape()[0] != n) {
        throw new InvalidDataException(name, "tensor 'labels'", "shape "
            + Arrays.toString(l.shape()) + ", expected (" + n + ")");
      }
      List<String> classes = stringList(name, meta, "classes");
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) {
        float x = l.values()[i];
        if (!(x >= 0) || x != Math.rint(x) || classes == null || x >= classes.size()) {
          throw new InvalidDataException(name, "tensor 'labels'", "entry " + i + " is " + x
              + ", expected a class id 0.." + (classes == null ? "?" : classes.size() - 1));
        }
        ids[i] = (int) x;
      }
      b.labels(ids, classes);
    }
    List<String> rowIds = stringList(name, meta, "ids");
    if (rowIds != null) {
      if (rowIds.size() != n) {
        throw new InvalidDataException(name, "metadata 'ids'", "holds " + rowIds.size()
            + " ids for " + n + " rows");
      }
      b.ids(rowIds);
    }
    for (String key : new String[] {"format", "metric", "classes", "ids"}) {
      meta.remove(key);
    }
    b.metadata(meta);
    try {
      return b.build(backend);
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(name, null, e.getMessage());
    }
  }

  private static List<String> stringList(String name, Map<String, String> meta, String key) {
    String text = meta.get(key);
    if (text == null) {
      return null;
    }
    try {
      return JSON.readValue(text, new TypeReference<List<String>>() {});
    } catch (JsonProcessingException e) {
      throw new InvalidDataException(name, "metadata '" + key + "'", "is not a JSON array of "
          + "strings: " + e.getOriginalMessage());
    }
  }

  /** Frees the rows on the backend; idempotent. */
  @Override
  public void close() {
    synchronized (backend) {
      if (!closed) {
        closed = true;
        base.close();
        norms.close();
      }
    }
  }

  // ---------------------------------------------------------------------------------------

  private int checkQueries(float[] queries, int k) {
    requireNonNull("queries", queries);
    if (queries.length % dim != 0) {
      throw new IllegalArgumentException("queries has " + queries.length + " values, not a "
          + "multiple of the index dim " + dim + " (query dim != index dim?)");
    }
    if (k < 1 || k > size) {
      throw new IllegalArgumentException("k=" + k + ", expected 1.." + size
          + " (the number of index rows)");
    }
    requireFinite("queries", queries, dim);
    return queries.length / dim;
  }

  private void requireLabels() {
    if (labels == null) {
      throw new IllegalStateException("the index has no labels: build it with labels(...) to "
          + "classify");
    }
  }

  private int checkRow(int row) {
    if (row < 0 || row >= size) {
      throw new IllegalArgumentException("row=" + row + ", expected 0.." + (size - 1));
    }
    return row;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the index is closed");
    }
  }

  private static void requireFinite(String name, float[] x, int dim) {
    for (int i = 0; i < x.length; i++) {
      if (!Float.isFinite(x[i])) {
        throw new IllegalArgumentException(name + " row " + i / dim + ", column " + i % dim
            + " is " + x[i] + ", expected a finite number");
      }
    }
  }

  /** (rows, dim) copy with every row scaled to length 1; a zero row is an error. */
  private static float[] unitRows(String name, float[] x, int rows, int dim) {
    float[] out = new float[rows * dim];
    for (int i = 0; i < rows; i++) {
      double ss = 0;
      for (int j = 0; j < dim; j++) {
        double v = x[i * dim + j];
        ss += v * v;
      }
      if (ss == 0) {
        throw new IllegalArgumentException(name + " row " + i + " is all zeros: the cosine "
            + "distance is undefined for it");
      }
      float inv = (float) (1 / Math.sqrt(ss));
      for (int j = 0; j < dim; j++) {
        out[i * dim + j] = x[i * dim + j] * inv;
      }
    }
    return out;
  }
}
