package dev.tripletcuda.cli;

import dev.tripletcuda.backend.cpu.CpuKernels;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Restarts the tool in a JVM that has the Vector API module, which {@code java -jar} cannot
 * add by itself: the CPU engine's matrix products are several times faster with it.
 *
 * <p>Nothing happens when the module is already there, when this JVM is such a restart, when
 * {@code TRIPLETCUDA_RELAUNCH=0} is set, or when the running Java cannot be found; the tool then
 * runs in this JVM with the plain Java kernels. The child inherits standard input, output and
 * error, and its exit code becomes this process's.
 */
final class VectorRelaunch {

  private static final String MARK = "tripletcuda.relaunched";

  private VectorRelaunch() {}

  /** Runs the tool in a child JVM and returns its exit code, or empty to run it here. */
  static Optional<Integer> relaunch(String[] args) {
    if (CpuKernels.vectorized() || System.getProperty(MARK) != null
        || Boolean.getBoolean("tripletcuda.cpu.scalar")
        || "0".equals(System.getenv("TRIPLETCUDA_RELAUNCH"))
        || ModuleLayer.boot().findModule(CpuKernels.VECTOR_MODULE).isPresent()) {
      return Optional.empty();
    }
    Optional<String> java = ProcessHandle.current().info().command();
    if (java.isEmpty() || ModuleLayer.boot().findModule("java.management").isEmpty()) {
      return Optional.empty();
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(java.get());
    cmd.add("--add-modules=" + CpuKernels.VECTOR_MODULE);
    // What the jar's manifest grants under -jar, which a class-path launch does not read: JCuda
    // loads its native library without a warning on JDK 22 and later.
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-D" + MARK + "=true");
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    try {
      Process child = new ProcessBuilder(cmd).inheritIO().start();
      Thread stop = new Thread(child::destroy, "tripletcuda-relaunch-stop");
      Runtime.getRuntime().addShutdownHook(stop);
      int code = child.waitFor();
      try {
        Runtime.getRuntime().removeShutdownHook(stop);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs anyway.
      }
      return Optional.of(code);
    } catch (java.io.IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(130);
    }
  }
}
