package dev.tripletcuda.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The host-side wording and classification of device failures; needs no GPU. */
class DeviceFailureMessagesTest {

  @ParameterizedTest
  @ValueSource(strings = {"CUDA_ERROR_ILLEGAL_ADDRESS", "CUDA_ERROR_LAUNCH_FAILED",
      "CUDA_ERROR_ECC_UNCORRECTABLE", "CUDA_ERROR_MISALIGNED_ADDRESS", "CUDA_ERROR_UNKNOWN",
      "CUDA_ERROR_DEVICE_UNAVAILABLE"})
  void stickyErrorsMarkTheDeviceLost(String error) {
    DeviceFailureException e = DeviceFailureException.of("running queued work", error, null);
    assertTrue(e.deviceLost(), error);
    assertTrue(e.getMessage().contains("was lost while running queued work (" + error + ")"),
        e.getMessage());
    assertTrue(e.getMessage().contains("new one"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"CUDA_ERROR_INVALID_VALUE", "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
      "CUDA_ERROR_OUT_OF_MEMORY", "CUDA_ERROR_INVALID_HANDLE"})
  void recoverableErrorsDoNot(String error) {
    DeviceFailureException e = DeviceFailureException.of("filling 12 words", error, null);
    assertFalse(e.deviceLost(), error);
    assertEquals("the CUDA device failed while filling 12 words (" + error + ")",
        e.getMessage());
  }

  @Test
  void missingDriverErrorIsNamedUnknown() {
    assertTrue(DeviceFailureException.of("x", null, null).getMessage()
        .contains("(unknown error)"));
  }

  @Test
  void outOfMemoryNamesBytesAskedAndFree() {
    assertEquals("out of device memory: tensor (1000, 1000) needs 4,000,000 bytes, 1,024 of "
        + "8,192 bytes are free on NVIDIA H200", CudaDevice.outOfMemoryMessage(
            "tensor (1000, 1000)", 4_000_000, 1024, 8192, "NVIDIA H200"));
  }

  @Test
  void launchDescriptionNamesKernelAndShape() {
    assertEquals("topk_tile_merge (grid (1000, 1, 1), block (256, 1, 1), 16384 bytes of "
        + "dynamic shared memory)",
        CudaDevice.describeLaunch("topk_tile_merge", 1000, 1, 256, 16384));
  }
}
