package dev.tripletcuda.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Backends;
import dev.tripletcuda.backend.Device;
import dev.tripletcuda.backend.DeviceUnavailableException;
import dev.tripletcuda.cli.ExitCodes;
import dev.tripletcuda.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * How the backend is chosen where no CUDA device is usable (this runs everywhere; on a machine
 * with a GPU the tests that need its absence skip): {@code auto} falls back to the CPU and says
 * why, {@code cuda} fails with one line and exit code 3, and nothing crashes the JVM.
 */
class BackendSelectionTest {

  private static void assumeNoDevice() {
    Assumptions.assumeFalse(CudaTestSupport.available(), "a CUDA device is usable here");
  }

  /** Runs the command-line tool in this JVM, capturing standard error and output. */
  private record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    PrintStream oldErr = System.err;
    PrintStream oldOut = System.out;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(oldErr);
      System.setOut(oldOut);
    }
  }

  @Test
  void openingCudaWithoutADeviceFailsWithOneLineNamingTheCause() {
    assumeNoDevice();
    DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
        () -> Backends.open(Device.CUDA, 1));
    String m = e.getMessage();
    assertFalse(m.isBlank(), "empty reason");
    assertFalse(m.contains("\n"), "the reason spans lines: " + m);
    // The second attempt in the same JVM gives the same reason, not "Could not initialize".
    DeviceUnavailableException again = assertThrows(DeviceUnavailableException.class,
        () -> CudaBackend.open(CudaOptions.DEFAULT));
    assertEquals(m, again.getMessage());
  }

  @Test
  void autoFallsBackToTheCpu() {
    assumeNoDevice();
    try (Backend b = Backends.open(Device.AUTO, 1)) {
      assertEquals("cpu", b.name());
    }
  }

  @Test
  void deviceCudaOnTheCommandLineExitsWithCode3AndOneLine() {
    assumeNoDevice();
    Run r = cli("train", "--device", "cuda", "--epochs", "1", "--layers", "8");
    assertEquals(ExitCodes.DEVICE_UNAVAILABLE, r.code, r.err);
    List<String> errors = Arrays.stream(r.err.split("\n"))
        .filter(l -> l.startsWith("error:")).collect(Collectors.toList());
    assertEquals(1, errors.size(), r.err);
    assertTrue(errors.get(0).startsWith("error: CUDA device unavailable: "), errors.get(0));
    assertFalse(r.err.contains("\tat ") || r.err.contains("Exception"),
        "a stack trace reached the user: " + r.err);
    assertEquals("", r.out);
  }

  @Test
  void deviceAutoOnTheCommandLineTrainsOnTheCpuAndSaysWhy() {
    assumeNoDevice();
    Run r = cli("train", "--device", "auto", "--epochs", "1", "--layers", "8",
        "--classes-per-batch", "4", "--per-class", "4", "--json");
    assertEquals(ExitCodes.OK, r.code, r.err);
    assertTrue(r.out.contains("\"device\" : \"cpu\""), r.out);
    if (LoggerFactory.getLogger(Backends.class).isInfoEnabled()) {
      assertTrue(r.err.contains("no usable CUDA device: "), r.err);
    }
  }

  @Test
  void badCudaSettingsAreReportedAsBadInput() {
    System.setProperty("tripletcuda.cuda.sync", "sometimes");
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          CudaOptions::fromEnvironment);
      assertTrue(e.getMessage().contains("tripletcuda.cuda.sync='sometimes'"), e.getMessage());
    } finally {
      System.clearProperty("tripletcuda.cuda.sync");
    }
    System.setProperty("tripletcuda.cuda.device", "-1");
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          CudaOptions::fromEnvironment);
      assertTrue(e.getMessage().contains("device=-1"), e.getMessage());
    } finally {
      System.clearProperty("tripletcuda.cuda.device");
    }
  }
}
