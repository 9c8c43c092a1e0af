package dev.tripletcuda.cli;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.io.SafeTensors;
import dev.tripletcuda.io.Samples;
import dev.tripletcuda.knn.KnnIndex;
import dev.tripletcuda.knn.Metric;
import dev.tripletcuda.knn.Neighbors;
import dev.tripletcuda.nn.Embedder;
import dev.tripletcuda.nn.EmbeddingModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tripletcuda search}: the exact k nearest neighbours of query samples. */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Find the k nearest neighbours of each query sample among indexed samples "
        + "(exact search).",
        "Output: CSV with the header query,query_label,rank,id,label,distance and one line per "
            + "query and neighbour; query is the query's row number (from 0), rank counts from "
            + "1, id is the neighbour's id (its row number in the indexed samples unless the "
            + "index carries ids), labels are empty where unknown. Rows are sorted by distance, "
            + "ties by row."})
final class SearchCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(SearchCommand.class);

  /** Index metadata entry: the fingerprint of the model that embedded the rows. */
  static final String MODEL_KEY = "model_fingerprint";

  @Option(names = "--model", required = true, paramLabel = "FILE",
      description = "The model (safetensors).")
  Path model;

  @Option(names = "--index", required = true, paramLabel = "PATH",
      description = "Samples to search (any format train reads; embedded with the model), or "
          + "an index file written by --save-index.")
  Path index;

  @Option(names = "--query", required = true, paramLabel = "PATH",
      description = "Query samples; a CSV may leave out the label column.")
  Path query;

  @Option(names = "--k", defaultValue = "10", paramLabel = "K",
      description = "Neighbours per query, 1 to the number of indexed samples "
          + "(default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--metric", paramLabel = "squared-l2|cosine|inner-product",
      description = "Distance (default: squared-l2, or the saved index's).")
  String metric;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Write the CSV here (atomically) instead of to standard output.")
  Path out;

  @Option(names = "--save-index", paramLabel = "FILE",
      description = "Also save the index built from --index samples, for later searches.")
  Path saveIndex;

  @Mixin
  DeviceOptions device = new DeviceOptions();

  @Override
  public Integer call() {
    if (k < 1) {
      throw new IllegalArgumentException("--k " + k + ", expected 1 or more");
    }
    Metric chosen = metric == null ? null : Metric.parse(metric);
    ModelInputs.checkOutput("--out", out);
    ModelInputs.checkOutput("--save-index", saveIndex);
    EmbeddingModel m = ModelInputs.model(model);
    Samples queries = ModelInputs.samples("--query", query, m);
    boolean saved = SafeTensors.looksLike(index);
    if (saved && saveIndex != null) {
      throw new IllegalArgumentException("--save-index needs samples as --index; " + index
          + " is already an index file");
    }

    try (Backend backend = device.open()) {
      Embedder embedder = new Embedder(m, backend);
      try (KnnIndex idx = saved ? load(backend, m, chosen) : build(embedder, chosen)) {
        if (k > idx.size()) {
          throw new IllegalArgumentException("--k " + k + ", expected 1.." + idx.size()
              + " (the number of indexed samples)");
        }
        Neighbors nn = idx.search(embedder.embed(queries.data()), k);
        if (saveIndex != null) {
          try {
            idx.save(saveIndex);
          } catch (IOException e) {
            throw new OutputException("cannot write " + saveIndex + ": " + e.getMessage(), e);
          }
          log.info("index of {} rows saved to {}", idx.size(), saveIndex);
        }
        ModelInputs.writeText(out, w -> print(w, nn, idx, queries));
      }
    }
    return ExitCodes.OK;
  }

  private KnnIndex load(Backend backend, EmbeddingModel m, Metric chosen) {
    KnnIndex idx = KnnIndex.load(index, backend);
    try {
      String made = idx.metadata().get(MODEL_KEY);
      if (made != null && !made.equals(m.fingerprint())) {
        throw new IllegalArgumentException("--index " + index + " was built with another model "
            + "(fingerprint " + made + ", this model's is " + m.fingerprint() + "): rebuild it "
            + "from the samples with this model");
      }
      if (idx.dim() != m.spec().outputDim()) {
        throw new IllegalArgumentException("--index " + index + " holds vectors of dim "
            + idx.dim() + " but the model's embeddings have " + m.spec().outputDim());
      }
      if (chosen != null && chosen != idx.metric()) {
        throw new IllegalArgumentException("--metric " + chosen + " but --index " + index
            + " was built for " + idx.metric() + " (leave --metric out to use it)");
      }
    } catch (RuntimeException e) {
      idx.close();
      throw e;
    }
    log.info("index {}: {} rows, {}", index, idx.size(), idx.metric());
    return idx;
  }

  private KnnIndex build(Embedder embedder, Metric chosen) {
    Samples base = ModelInputs.samples("--index", index, embedder.model());
    KnnIndex.Builder b = KnnIndex.builder(embedder.embed(base.data()), embedder.dim())
        .metric(chosen == null ? Metric.SQUARED_L2 : chosen)
        .metadata(Map.of(MODEL_KEY, embedder.model().fingerprint()));
    if (base.labelled()) {
      b.labels(base.data().labels(), base.data().classNames());
    }
    return b.build(embedder.backend());
  }

  private static void print(PrintWriter w, Neighbors nn, KnnIndex idx, Samples queries) {
    w.println("query,query_label,rank,id,label,distance");
    for (int q = 0; q < nn.queries(); q++) {
      String ql = queries.labelled()
          ? Csv.cell(queries.data().classNames().get(queries.data().labels()[q])) : "";
      for (int r = 0; r < nn.k(); r++) {
        int row = nn.row(q, r);
        String label = idx.labelled() ? Csv.cell(idx.classNames().get(idx.label(row))) : "";
        w.print(q);
        w.print(',');
        w.print(ql);
        w.print(',');
        w.print(r + 1);
        w.print(',');
        w.print(Csv.cell(idx.id(row)));
        w.print(',');
        w.print(label);
        w.print(',');
        w.println(nn.distance(q, r));
      }
    }
  }
}
