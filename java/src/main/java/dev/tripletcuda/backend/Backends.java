package dev.tripletcuda.backend;

import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.backend.cuda.CudaBackend;
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
        return cuda("asked for");
      case AUTO:
      default:
        try {
          return cuda("a usable CUDA device was found");
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

  private static Backend cuda(String why) {
    Backend backend = openCuda();
    log.info("backend: {} ({})", backend.description(), why);
    return backend;
  }

  /**
   * The CUDA backend with the settings of {@link dev.tripletcuda.backend.cuda.CudaOptions}.
   * Every way it can fail to start (JCuda's natives or the NVIDIA driver missing, no device,
   * kernels refused) becomes a DeviceUnavailableException with a one-line reason; loading the
   * natives is an ordinary exception when they are missing, never a crash.
   */
  static Backend openCuda() {
    try {
      return CudaBackend.open();
    } catch (DeviceUnavailableException | IllegalArgumentException e) {
      throw e;
    } catch (LinkageError e) {
      throw new DeviceUnavailableException("the CUDA bindings (JCuda) could not be loaded: "
          + firstLine(e), e);
    } catch (RuntimeException e) {
      throw new DeviceUnavailableException("the CUDA backend could not start: " + firstLine(e),
          e);
    }
  }

  private static String firstLine(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    int newline = m.indexOf('\n');
    return newline < 0 ? m : m.substring(0, newline);
  }
}
