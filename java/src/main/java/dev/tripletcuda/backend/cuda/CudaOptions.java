package dev.tripletcuda.backend.cuda;

import java.util.Locale;

/**
 * How the CUDA backend opens its device. {@link #fromEnvironment()} reads the settings a user
 * can change without code: system properties first, then environment variables.
 *
 * <ul>
 *   <li>{@code tripletcuda.cuda.device} / {@code TRIPLETCUDA_CUDA_DEVICE}: the device ordinal
 *       (default 0).
 *   <li>{@code tripletcuda.cuda.cublas} / {@code TRIPLETCUDA_CUDA_CUBLAS}: {@code false} to use
 *       the built-in tiled SGEMM kernel even where cuBLAS loads (default true).
 *   <li>{@code tripletcuda.cuda.nvrtc} / {@code TRIPLETCUDA_CUDA_NVRTC}: {@code true} to compile
 *       the kernel sources with NVRTC instead of loading the shipped PTX (default false).
 *   <li>{@code tripletcuda.cuda.sync} / {@code TRIPLETCUDA_CUDA_SYNC}: {@code true} or {@code 1}
 *       to wait for every kernel as it is launched, so that an asynchronous fault is reported
 *       with the name and launch shape of the kernel that caused it (slow; default false).
 * </ul>
 *
 * @param device the CUDA device ordinal, &gt;= 0
 * @param cublas whether to use cuBLAS for matrix products where it loads
 * @param nvrtcOnly whether to skip the shipped PTX and compile the sources with NVRTC
 * @param syncEachLaunch whether to synchronise after every kernel launch
 */
public record CudaOptions(int device, boolean cublas, boolean nvrtcOnly, boolean syncEachLaunch) {

  /** Device 0, cuBLAS where it loads, the shipped PTX, no synchronisation per launch. */
  public static final CudaOptions DEFAULT = new CudaOptions(0, true, false, false);

  public CudaOptions {
    if (device < 0) {
      throw new IllegalArgumentException("device=" + device + ", expected a CUDA device "
          + "ordinal >= 0");
    }
  }

  /** The options set by system properties and environment variables, else the defaults. */
  public static CudaOptions fromEnvironment() {
    String ordinal = setting("tripletcuda.cuda.device", "TRIPLETCUDA_CUDA_DEVICE");
    int device = 0;
    if (ordinal != null) {
      try {
        device = Integer.parseInt(ordinal.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("tripletcuda.cuda.device='" + ordinal
            + "', expected a CUDA device ordinal >= 0");
      }
    }
    return new CudaOptions(device,
        flag("tripletcuda.cuda.cublas", "TRIPLETCUDA_CUDA_CUBLAS", true),
        flag("tripletcuda.cuda.nvrtc", "TRIPLETCUDA_CUDA_NVRTC", false),
        flag("tripletcuda.cuda.sync", "TRIPLETCUDA_CUDA_SYNC", false));
  }

  /** These options with cuBLAS switched on or off. */
  public CudaOptions withCublas(boolean on) {
    return new CudaOptions(device, on, nvrtcOnly, syncEachLaunch);
  }

  /** These options with the synchronisation after every launch switched on or off. */
  public CudaOptions withSyncEachLaunch(boolean on) {
    return new CudaOptions(device, cublas, nvrtcOnly, on);
  }

  /** These options with NVRTC compilation forced on or off. */
  public CudaOptions withNvrtcOnly(boolean on) {
    return new CudaOptions(device, cublas, on, syncEachLaunch);
  }

  private static String setting(String property, String env) {
    String v = System.getProperty(property);
    return v != null ? v : System.getenv(env);
  }

  private static boolean flag(String property, String env, boolean fallback) {
    String v = setting(property, env);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "1":
      case "true":
      case "yes":
      case "on":
        return true;
      case "0":
      case "false":
      case "no":
      case "off":
        return false;
      default:
        throw new IllegalArgumentException(property + "='" + v + "', expected true or false");
    }
  }
}
