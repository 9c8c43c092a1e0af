package dev.tripletcuda.backend;

import dev.tripletcuda.backend.cpu.CpuBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the backend for a {@link Device} choice and logs which one and why. */
public final class Backends {

  private static final Logger log = LoggerFactory.getLogger(Backends.class);

  private Backends() {}

  /**
   * Opens a backend.
   *
   * @param device auto, cpu or cuda
   * @param threads CPU threads for the cpu backend (and host-side work), &gt;= 1
   * @throws DeviceUnavailableException when cuda is asked for and cannot be used
   */
  public static Backend open(Device device, int threads) {
    if (device == null) {
      throw new IllegalArgumentException("device is null, expected auto, cpu or cuda");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads=" + threads + ", expected >= 1");
    }
    switch (device) {
      case CPU:
        return cpu(threads, "asked for");
      case CUDA:
        return openCuda();
      case AUTO:
      default:
        try {
          return openCuda();
        } catch (DeviceUnavailableException e) {
          return cpu(threads, "no usable CUDA device: " + e.getMessage());
        }
    }
  }

  private static Backend cpu(int threads, String why) {
    CpuBackend backend = new CpuBackend(threads);
    log.info("backend: {} ({})", backend.description(), why);
    return backend;
  }

  private static Backend openCuda() {
    throw new DeviceUnavailableException("this build has no CUDA backend");
  }
}
