package dev.tripletcuda.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.Backends;
import dev.tripletcuda.backend.Device;
import dev.tripletcuda.backend.DeviceUnavailableException;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;

class BenchMainTest {

  private static boolean cudaUsable() {
    try {
      Backends.open(Device.CUDA, 1).close();
      return true;
    } catch (DeviceUnavailableException e) {
      return false;
    }
  }

  @Test
  void withUsableBackendsKeepsAnExplicitChoice() throws Exception {
    CommandLineOptions cmd = new CommandLineOptions("-p", "backend=cuda", "Pairwise");
    assertSame(cmd, BenchMain.withUsableBackends(cmd));
  }

  @Test
  void withUsableBackendsLeavesOutCudaWhereItCannotOpen() throws Exception {
    CommandLineOptions cmd = new CommandLineOptions("-p", "rows=256", "Pairwise");
    Options options = BenchMain.withUsableBackends(cmd);
    if (cudaUsable()) {
      assertSame(cmd, options);
      return;
    }
    Collection<String> backends = options.getParameter("backend").get();
    assertEquals(List.of("cpu"), List.copyOf(backends));
    assertEquals(List.of("256"), List.copyOf(options.getParameter("rows").get()));
  }

  @Test
  void threadsRejectsABadProperty() {
    String old = System.getProperty(BenchInputs.THREADS_PROPERTY);
    try {
      System.setProperty(BenchInputs.THREADS_PROPERTY, "two");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          BenchInputs::threads);
      assertTrue(e.getMessage().contains("bench.threads='two'"), e.getMessage());
      System.setProperty(BenchInputs.THREADS_PROPERTY, "0");
      assertThrows(IllegalArgumentException.class, BenchInputs::threads);
      System.setProperty(BenchInputs.THREADS_PROPERTY, "3");
      assertEquals(3, BenchInputs.threads());
    } finally {
      if (old == null) {
        System.clearProperty(BenchInputs.THREADS_PROPERTY);
      } else {
        System.setProperty(BenchInputs.THREADS_PROPERTY, old);
      }
    }
  }
}
