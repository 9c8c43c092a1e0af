package dev.tripletcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.cuda.DeviceFailureException;
import dev.tripletcuda.train.TrainingDeviceFailureException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How the CLI reports a GPU that fails during a command: one line, a documented code. */
class DeviceFailureExitTest {

  private static String[] handled(Exception e, int[] code) {
    CommandLine cl = Main.commandLine();
    StringWriter text = new StringWriter();
    cl.setErr(new PrintWriter(text));
    code[0] = Main.handle(e, cl, null);
    return text.toString().split("\n");
  }

  @Test
  void deviceFailureDuringTrainingExitsWithDeviceFailedAndNamesTheCheckpoint() {
    int[] code = new int[1];
    String[] lines = handled(new TrainingDeviceFailureException(2, 17,
        "the CUDA device was lost while running queued work (CUDA_ERROR_ILLEGAL_ADDRESS)",
        "run.ckpt (epoch 2, batch 15)", null), code);
    assertEquals(ExitCodes.DEVICE_FAILED, code[0]);
    assertEquals(1, lines.length, String.join("\n", lines));
    assertTrue(lines[0].startsWith("error: training stopped at epoch 2, batch 17: "), lines[0]);
    assertTrue(lines[0].contains("run.ckpt (epoch 2, batch 15)"), lines[0]);
  }

  @Test
  void deviceFailureElsewhereExitsWithDeviceUnavailable() {
    int[] code = new int[1];
    String[] lines = handled(new DeviceFailureException("the CUDA device failed while "
        + "copying 4 bytes to the device (CUDA_ERROR_INVALID_VALUE)"), code);
    assertEquals(ExitCodes.DEVICE_UNAVAILABLE, code[0]);
    assertEquals(1, lines.length);
    assertTrue(lines[0].startsWith("error: the CUDA device failed while copying"), lines[0]);
  }
}
