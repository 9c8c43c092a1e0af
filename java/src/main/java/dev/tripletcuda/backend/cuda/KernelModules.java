package dev.tripletcuda.backend.cuda;

import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import dev.tripletcuda.backend.DeviceUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.CUmodule;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;

/**
 * Loads the kernel modules: the PTX the build compiled and shipped in the jar, or, where the
 * driver refuses it (an older driver cannot read newer PTX) or it is absent (a build without
 * nvcc), the shipped {@code .cu} sources compiled with NVRTC for the device. When both fail the
 * exception says why each did.
 */
final class KernelModules {

  /** Where the build puts the PTX and the sources inside the jar. */
  static final String RESOURCES = "dev/tripletcuda/cuda/kernels/";

  /** The headers the sources include, handed to NVRTC by name. */
  static final List<String> HEADERS = List.of("common.cuh", "tile_gemm.cuh");

  /** The loaded modules by name, and where they came from, for the logs. */
  record Loaded(Map<String, CUmodule> modules, String origin) {}

  private KernelModules() {}

  static Loaded load(List<String> names, CudaOptions options, int ccMajor, int ccMinor) {
    String ptxProblem;
    if (options.nvrtcOnly()) {
      ptxProblem = "was skipped (NVRTC asked for)";
    } else {
      ptxProblem = null;
      Map<String, CUmodule> loaded = new LinkedHashMap<>();
      String current = null;
      try {
        for (String name : names) {
          current = name;
          byte[] ptx = resource(name + ".ptx");
          if (ptx == null) {
            ptxProblem = "is not in the jar (" + RESOURCES + name + ".ptx; built without nvcc?)";
            break;
          }
          loaded.put(name, loadImage(ptx));
        }
        if (ptxProblem == null) {
          return new Loaded(loaded, "shipped PTX");
        }
      } catch (CudaException e) {
        ptxProblem = "was refused by the driver (" + current + ".ptx: " + e.getMessage() + ")";
      }
      unload(loaded);
    }

    String nvrtcProblem;
    try {
      return new Loaded(compileAll(names, ccMajor, ccMinor),
          "NVRTC for compute_" + ccMajor + ccMinor);
    } catch (LinkageError e) {
      nvrtcProblem = "could not be loaded: " + CudaNatives.describe(e);
    } catch (CudaException | IllegalStateException e) {
      nvrtcProblem = "failed: " + e.getMessage();
    }
    throw new DeviceUnavailableException("the CUDA kernels could not be loaded: the shipped PTX "
        + ptxProblem + ", and NVRTC " + nvrtcProblem);
  }

  private static CUmodule loadImage(byte[] ptx) {
    CUmodule module = new CUmodule();
    // The driver reads the image as a NUL-terminated string.
    cuModuleLoadData(module, Arrays.copyOf(ptx, ptx.length + 1));
    return module;
  }

  private static Map<String, CUmodule> compileAll(List<String> names, int major, int minor) {
    JNvrtc.setExceptionsEnabled(true);
    String[] headerNames = HEADERS.toArray(new String[0]);
    String[] headers = new String[headerNames.length];
    for (int i = 0; i < headers.length; i++) {
      headers[i] = text(headerNames[i]);
    }
    String[] flags = {"--gpu-architecture=compute_" + major + minor, "-std=c++17"};
    Map<String, CUmodule> loaded = new LinkedHashMap<>();
    try {
      for (String name : names) {
        String ptx = compile(name, text(name + ".cu"), headers, headerNames, flags);
        loaded.put(name, loadImage(ptx.getBytes(StandardCharsets.US_ASCII)));
      }
      return loaded;
    } catch (RuntimeException | LinkageError e) {
      unload(loaded);
      throw e;
    }
  }

  private static String compile(String name, String source, String[] headers,
      String[] headerNames, String[] flags) {
    nvrtcProgram program = new nvrtcProgram();
    JNvrtc.nvrtcCreateProgram(program, source, name + ".cu", headers.length, headers,
        headerNames);
    try {
      try {
        JNvrtc.nvrtcCompileProgram(program, flags.length, flags);
      } catch (CudaException e) {
        String[] log = new String[1];
        JNvrtc.nvrtcGetProgramLog(program, log);
        throw new IllegalStateException(name + ".cu did not compile (" + e.getMessage() + "): "
            + firstLines(log[0], 5));
      }
      String[] ptx = new String[1];
      JNvrtc.nvrtcGetPTX(program, ptx);
      return ptx[0];
    } finally {
      JNvrtc.nvrtcDestroyProgram(program);
    }
  }

  private static void unload(Map<String, CUmodule> modules) {
    for (CUmodule m : modules.values()) {
      try {
        cuModuleUnload(m);
      } catch (CudaException e) {
        // Already failing; the original problem is the one to report.
      }
    }
    modules.clear();
  }

  /** The bytes of a kernel resource, or null when the jar does not hold it. */
  static byte[] resource(String file) {
    try (InputStream in = KernelModules.class.getClassLoader()
        .getResourceAsStream(RESOURCES + file)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCES + file + ": " + e.getMessage(),
          e);
    }
  }

  private static String text(String file) {
    byte[] bytes = resource(file);
    if (bytes == null) {
      throw new IllegalStateException("the kernel source " + RESOURCES + file
          + " is not in the jar");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String firstLines(String log, int lines) {
    if (log == null) {
      return "(no log)";
    }
    String[] all = log.strip().split("\n");
    return String.join(" | ", Arrays.copyOf(all, Math.min(lines, all.length)));
  }
}
