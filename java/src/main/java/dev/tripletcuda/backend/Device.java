package dev.tripletcuda.backend;

import java.util.Locale;

/** Where the engine runs, as chosen on the command line with {@code --device}. */
public enum Device {

  /** CUDA when a device and the kernels are usable, else the CPU. */
  AUTO,

  /** The pure-Java engine. */
  CPU,

  /** An NVIDIA GPU; failing to open one is an error, never a silent fallback. */
  CUDA;

  /** Parses {@code auto}, {@code cpu} or {@code cuda}. */
  public static Device parse(String name) {
    if (name == null) {
      throw new IllegalArgumentException("device is null, expected auto, cpu or cuda");
    }
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("device='" + name + "', expected auto, cpu or cuda");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
