package dev.tripletcuda.bench;

import dev.tripletcuda.backend.Backend;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What every benchmark of the suite shares: throughput mode in calls per second (the work
 * counters then read as rates), the {@code backend} parameter, and the backend's life. A
 * subclass opens the backend first thing in its setup with {@link #openBackend()}, states its
 * own warm-up, measurement and fork settings, and synchronises the device inside each measured
 * method.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public abstract class BackendBenchmark {

  @Param({"cpu", "cuda"})
  public String backend;

  /** The backend under test, open between setup and teardown. */
  protected Backend engine;

  /** Opens the backend the parameter names. */
  protected final void openBackend() {
    engine = BenchInputs.open(backend);
  }

  /** Frees what a subclass holds outside the backend's own buffers; nothing by default. */
  protected void closeInputs() {}

  @TearDown(Level.Trial)
  public final void closeBackend() {
    if (engine != null) {
      closeInputs();
      engine.close();
      engine = null;
    }
  }
}
