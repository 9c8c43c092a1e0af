package dev.tripletcuda.testing;

import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.io.InvalidDataException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The contract every loader keeps on any input, checked by the fuzz tests: it returns a valid
 * value, or throws {@link InvalidDataException} with a one-line message that starts with the
 * file it blames. Any other exception escapes and is a finding.
 */
public final class LoaderChecks {

  private LoaderChecks() {}

  /**
   * Runs a loader on one input.
   *
   * @param sources the names the error may blame: the input and its companion files
   * @return the value, or empty when the loader rejected the input as it should
   */
  public static <T> Optional<T> loadOrReject(Set<String> sources, Supplier<T> loader) {
    try {
      T value = loader.get();
      if (value == null) {
        throw new AssertionError("the loader returned null");
      }
      return Optional.of(value);
    } catch (InvalidDataException e) {
      String m = e.getMessage();
      if (!sources.contains(e.source()) || !m.startsWith(e.source() + ": ")) {
        throw new AssertionError("the error blames " + e.source() + ", expected one of "
            + sources + ": " + m, e);
      }
      if (m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
        throw new AssertionError("a message on more than one line: " + m, e);
      }
      return Optional.empty();
    }
  }

  /** What a loaded dataset must hold: rows, labels in range, finite features. */
  public static void checkDataset(Dataset d) {
    if (d.rows() < 1 || d.dim() < 1 || d.features().length != (long) d.rows() * d.dim()) {
      throw new AssertionError("dataset of " + d.rows() + " x " + d.dim() + " with "
          + d.features().length + " values");
    }
    for (float v : d.features()) {
      if (!Float.isFinite(v)) {
        throw new AssertionError("a feature is " + v);
      }
    }
    for (int label : d.labels()) {
      if (label < 0 || label >= d.classCount()) {
        throw new AssertionError("label " + label + " of " + d.classCount() + " classes");
      }
    }
  }
}
