package dev.tripletcuda.bench;

import dev.tripletcuda.backend.Backends;
import dev.tripletcuda.backend.Device;
import dev.tripletcuda.backend.DeviceUnavailableException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The suite's entry point: JMH's own command line, with two additions.
 *
 * <p>Every benchmark takes a {@code backend} parameter, cpu or cuda. When no usable CUDA device
 * is present and the command line does not choose backends itself ({@code -p backend=...}), the
 * run is limited to the cpu cases and one line on stderr says why, instead of every cuda case
 * failing in its setup.
 *
 * <p>The benchmarks run in throughput mode, so that the work counters read as rates (pairs/s,
 * GFLOP/s, samples/s); after JMH's table a second one gives each case's time per call, the
 * inverse of its primary score, beside those rates. Listing and help options are JMH's.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions cmd;
    try {
      cmd = new CommandLineOptions(args);
    } catch (CommandLineOptionException e) {
      System.err.println("error on the command line: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams()
        || cmd.shouldListProfilers() || cmd.shouldListResultFormats()) {
      org.openjdk.jmh.Main.main(args);
      return;
    }
    Options options = withUsableBackends(cmd);
    try {
      Collection<RunResult> results = new Runner(options).run();
      printTimes(results, System.out);
    } catch (NoBenchmarksException e) {
      System.err.println("no benchmark matches the given patterns; -l lists them");
      System.exit(1);
    } catch (RunnerException e) {
      System.err.println("the run failed: " + e.getMessage());
      e.printStackTrace(System.err);
      System.exit(1);
    }
  }

  /** cmd, limited to {@code backend=cpu} when CUDA cannot run and nothing chose backends. */
  static Options withUsableBackends(CommandLineOptions cmd) {
    if (cmd.getParameter("backend").hasValue()) {
      return cmd;
    }
    String reason = cudaUnavailableReason();
    if (reason == null) {
      return cmd;
    }
    System.err.println("# cuda cases left out: " + reason + "; running backend=cpu only");
    return new OptionsBuilder().parent(cmd).param("backend", "cpu").build();
  }

  /** Why a CUDA backend cannot be opened here, or null when it can. */
  private static String cudaUnavailableReason() {
    try {
      Backends.open(Device.CUDA, 1).close();
      return null;
    } catch (DeviceUnavailableException e) {
      return e.getMessage();
    }
  }

  /** One line per case: its parameters, milliseconds per call and the counters' rates. */
  static void printTimes(Collection<RunResult> results, PrintStream out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"Benchmark", "Parameters", "ms/call", "Rates (per second)"});
    for (RunResult r : results) {
      Result<?> primary = r.getPrimaryResult();
      if (!primary.getScoreUnit().equals("ops/s")) {
        continue;
      }
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      StringBuilder params = new StringBuilder();
      for (String key : r.getParams().getParamsKeys()) {
        params.append(params.length() == 0 ? "" : " ").append(key).append('=')
            .append(r.getParams().getParam(key));
      }
      StringBuilder rates = new StringBuilder();
      for (String counter : r.getSecondaryResults().keySet()) {
        Result<?> rate = r.getSecondaryResults().get(counter);
        rates.append(rates.length() == 0 ? "" : ", ")
            .append(String.format(Locale.ROOT, "%.4g %s", rate.getScore(), counter));
      }
      double ms = primary.getScore() > 0 ? 1000 / primary.getScore() : Double.NaN;
      rows.add(new String[] {name, params.toString(), String.format(Locale.ROOT, "%.4g", ms),
          rates.toString()});
    }
    if (rows.size() == 1) {
      return;
    }
    int[] width = new int[3];
    for (String[] row : rows) {
      for (int c = 0; c < 3; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    out.println();
    out.println("Time per call (1 / the primary score) and the work counters as rates:");
    for (String[] row : rows) {
      out.printf(Locale.ROOT, "%-" + width[0] + "s  %-" + width[1] + "s  %" + width[2]
          + "s  %s%n", row[0], row[1], row[2], row[3]);
    }
  }
}
