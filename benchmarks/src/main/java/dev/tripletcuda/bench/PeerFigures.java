package dev.tripletcuda.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Backends;
import dev.tripletcuda.backend.Device;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Our side of the comparison with PyTorch: times the figures that {@code torch_peer.py} times
 * for PyTorch, with the same timing protocol ({@link CallTimer}) and inputs of the same kind,
 * and writes them as JSON. Figure kinds ({@link FigureSpec}):
 *
 * <ul>
 *   <li>{@code pairwise:n=,m=,d=}: squared distances between x (n, d) and y (m, d), m = n by
 *       default; rates GFLOP/s (2 n m d) and pairs/s
 *   <li>{@code knn:q=,n=,d=,k=}: exact squared-L2 search from scratch, the base norms included;
 *       rates GFLOP/s (2 q n d) and queries/s
 *   <li>{@code loss:mining=,b=,d=,k=}: the triplet loss forward and backward on unit rows,
 *       b / k classes of k rows (k = 16 by default), margin 0.2, mean over active triplets
 *   <li>{@code step:mining=,b=}: one training step as in {@link TrainingStep}, 10 classes of
 *       b / 10 rows; rate samples/s
 * </ul>
 *
 * {@code train:} figures are left to the comparison script, which runs the command-line tool in
 * a fresh JVM as a user would.
 */
@Command(name = "peer-figures", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Time tripletcuda on the figures of the PyTorch comparison.")
public final class PeerFigures implements Callable<Integer> {

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda",
      description = "Backend (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--threads", paramLabel = "N",
      description = "CPU threads (default: all processors).")
  Integer threads;

  @Option(names = "--figures-file", paramLabel = "FILE",
      description = "A figure list such as benchmarks/figures-cpu.txt.")
  Path figuresFile;

  @Option(names = "--figure", paramLabel = "SPEC",
      description = "A figure, e.g. pairwise:n=1024,d=128; repeatable.")
  List<String> figures = new ArrayList<>();

  @Option(names = "--warmup-s", defaultValue = "3", paramLabel = "S",
      description = "Warm-up seconds per figure (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(names = "--samples", defaultValue = "5", paramLabel = "N",
      description = "Timed samples per figure (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--sample-s", defaultValue = "0.5", paramLabel = "S",
      description = "Minimum seconds per sample (default: ${DEFAULT-VALUE}).")
  double sampleSeconds;

  @Option(names = "--json", paramLabel = "FILE",
      description = "Write the results here (default: standard output).")
  Path json;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new PeerFigures());
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof IllegalArgumentException) {
        System.err.println("peer-figures: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() throws IOException {
    List<FigureSpec> specs = new ArrayList<>();
    if (figuresFile != null) {
      specs.addAll(FigureSpec.readFile(figuresFile));
    }
    for (String f : figures) {
      specs.add(FigureSpec.parse(f));
    }
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("no figures: give --figures-file or --figure");
    }
    if (samples < 1) {
      throw new IllegalArgumentException("--samples=" + samples + ", expected >= 1");
    }
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;

    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("side", "tripletcuda");
    root.put("device", device);
    root.put("threads", n);
    root.put("java", System.getProperty("java.vm.name") + " "
        + System.getProperty("java.runtime.version"));
    root.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version")
        + " " + System.getProperty("os.arch"));
    root.put("processors", Runtime.getRuntime().availableProcessors());
    root.put("protocol", String.format(Locale.ROOT, "warm-up %.1f s, median of %d samples of "
        + ">= %.2f s", warmupSeconds, samples, sampleSeconds));
    ArrayNode out = root.putArray("figures");
    try (Backend backend = Backends.open(Device.parse(device), n)) {
      root.put("backend", backend.description());
      for (FigureSpec spec : specs) {
        if (spec.kind().equals("train")) {
          System.err.println("# " + spec.text() + ": run by the comparison script");
          continue;
        }
        ObjectNode fig = measure(backend, spec, out.addObject());
        System.err.printf(Locale.ROOT, "# %-40s %10.4g %s%n", spec.text(),
            fig.get("value").asDouble(), fig.get("unit").asText());
      }
    }
    String text = mapper.writeValueAsString(root) + System.lineSeparator();
    if (json == null) {
      System.out.print(text);
    } else {
      Files.writeString(json, text, StandardCharsets.UTF_8);
    }
    return 0;
  }

  /** Times one figure on backend and fills fig with its record. */
  private ObjectNode measure(Backend backend, FigureSpec spec, ObjectNode fig) {
    fig.put("figure", spec.text());
    Map<String, Double> work = new LinkedHashMap<>();
    List<AutoCloseable> held = new ArrayList<>();
    Runnable call;
    switch (spec.kind()) {
      case "pairwise": {
        int n = spec.intParam("n");
        int m = spec.intParam("m", n);
        int d = spec.intParam("d");
        Tensor x = hold(held, BenchInputs.gaussian(backend, n, d, 1));
        Tensor y = hold(held, BenchInputs.gaussian(backend, m, d, 2));
        Tensor out = hold(held, backend.allocate(n, m));
        call = () -> {
          backend.pairwiseSquaredL2(x, y, out);
          backend.synchronize();
        };
        work.put("GFLOP", 2e-9 * n * m * d);
        work.put("pairs", (double) n * m);
        break;
      }
      case "knn": {
        int q = spec.intParam("q");
        int n = spec.intParam("n");
        int d = spec.intParam("d");
        int k = spec.intParam("k");
        Tensor queries = hold(held, BenchInputs.gaussian(backend, q, d, 6));
        Tensor base = hold(held, BenchInputs.gaussian(backend, n, d, 7));
        Tensor norms = hold(held, backend.allocate(n, 1));
        IntTensor idx = hold(held, backend.allocateInts(q * k));
        Tensor dist = hold(held, backend.allocate(q, k));
        call = () -> {
          backend.rowSquaredNorms(base, norms);
          backend.knn(queries, base, norms, k, false, idx, dist);
          backend.synchronize();
        };
        work.put("GFLOP", 2e-9 * q * n * d);
        work.put("queries", (double) q);
        break;
      }
      case "loss": {
        int b = spec.intParam("b");
        int d = spec.intParam("d");
        int k = spec.intParam("k", 16);
        TripletLossSpec loss = new TripletLossSpec(
            Mining.parse(spec.param("mining", "batch-all")), 0.2f, Reduction.MEAN_ACTIVE);
        Tensor emb = hold(held, BenchInputs.unitRows(backend, b, d, 3));
        Tensor grad = hold(held, backend.allocate(b, d));
        IntTensor labels = hold(held, BenchInputs.pkLabels(backend, b, k));
        TripletLossWorkspace ws = hold(held, backend.allocateTripletLossWorkspace(b));
        long triplets = backend.tripletLoss(emb, labels, loss, grad, ws).triplets();
        call = () -> {
          backend.tripletLoss(emb, labels, loss, grad, ws);
          backend.synchronize();
        };
        work.put("triplets", (double) triplets);
        break;
      }
      case "step": {
        int b = spec.intParam("b");
        if (b % TrainingStep.CLASSES != 0) {
          throw new IllegalArgumentException("figure '" + spec.text() + "': b=" + b
              + ", expected a multiple of " + TrainingStep.CLASSES);
        }
        TrainingStep step = hold(held, new TrainingStep(backend,
            Mining.parse(spec.param("mining", "batch-all")), b / TrainingStep.CLASSES, 42));
        call = () -> {
          step.run();
          backend.synchronize();
        };
        work.put("samples", (double) b);
        break;
      }
      default:
        throw new IllegalArgumentException("figure '" + spec.text() + "': kind '"
            + spec.kind() + "' unknown, expected pairwise, knn, loss, step or train");
    }

    try {
      CallTimer.Timing t = CallTimer.time(call, warmupSeconds, samples, sampleSeconds);
      fig.put("value", t.medianMs());
      fig.put("unit", "ms");
      fig.put("better", "lower");
      fig.put("min_ms", t.minMs());
      fig.put("max_ms", t.maxMs());
      fig.put("calls_per_sample", t.callsPerSample());
      ObjectNode rates = fig.putObject("rates");
      for (Map.Entry<String, Double> w : work.entrySet()) {
        rates.put(w.getKey() + "/s", w.getValue() / (t.medianMs() / 1e3));
      }
      return fig;
    } finally {
      for (int i = held.size() - 1; i >= 0; i--) {
        try {
          held.get(i).close();
        } catch (Exception e) {
          throw new IllegalStateException("closing " + held.get(i) + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private static <T extends AutoCloseable> T hold(List<AutoCloseable> held, T resource) {
    held.add(resource);
    return resource;
  }
}
