package dev.tripletcuda.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The packaged command-line jar carries what the CUDA backend loads at run time: the kernel
 * sources and headers always, the PTX when nvcc built it, and JCuda's Linux natives without
 * the PTX compiler library the engine never uses.
 */
class KernelsInJarIT {

  @Test
  void theJarShipsTheKernelsAndTheNatives() throws IOException {
    String location = System.getProperty("tripletcuda.jar");
    Assumptions.assumeTrue(location != null, "run by failsafe, which names the jar");
    Path jar = Path.of(location);
    assertTrue(Files.isRegularFile(jar), jar + " was not built");
    try (JarFile j = new JarFile(jar.toFile())) {
      for (String module : KernelCatalog.modules()) {
        assertNotNull(j.getEntry(KernelModules.RESOURCES + module + ".cu"), module
            + ".cu is not in " + jar);
        if (KernelSourcesTest.nvccOnPath()) {
          assertNotNull(j.getEntry(KernelModules.RESOURCES + module + ".ptx"), module
              + ".ptx is not in " + jar + " although nvcc is on the PATH");
        }
      }
      for (String header : KernelModules.HEADERS) {
        assertNotNull(j.getEntry(KernelModules.RESOURCES + header), header + " is not in "
            + jar);
      }
      assertNotNull(j.getEntry("lib/libJCudaDriver-12.6.0-linux-x86_64.so"),
          "JCuda's driver natives are not in " + jar);
      assertNull(j.getEntry("lib/libJNvPTXCompiler-12.6.0-linux-x86_64.so"),
          "the unused PTX compiler natives are in " + jar);
    }
  }
}
