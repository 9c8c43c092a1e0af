package dev.tripletcuda.backend.cuda;

import dev.tripletcuda.backend.DeviceUnavailableException;
import java.util.Set;

/**
 * The GPU failed while the CUDA backend was in use: a kernel did not launch or faulted, a
 * driver call failed. The message names the operation (the kernel and its launch shape where
 * there is one) and the driver's error.
 *
 * <p>Some errors leave the device's context unusable for the rest of the process (a kernel
 * fault, an uncorrectable memory error, the device falling off the bus): {@link #deviceLost()}
 * says so, and the message tells the user that work must restart in a new process, from a
 * checkpoint where there is one.
 */
public class DeviceFailureException extends DeviceUnavailableException {

  private static final long serialVersionUID = 1L;

  /**
   * The driver's errors after which the context cannot be used again ("sticky" errors), and
   * those that mean the device itself is gone.
   */
  static final Set<String> LOST = Set.of("CUDA_ERROR_ILLEGAL_ADDRESS",
      "CUDA_ERROR_LAUNCH_FAILED", "CUDA_ERROR_HARDWARE_STACK_ERROR",
      "CUDA_ERROR_ILLEGAL_INSTRUCTION", "CUDA_ERROR_MISALIGNED_ADDRESS",
      "CUDA_ERROR_INVALID_ADDRESS_SPACE", "CUDA_ERROR_INVALID_PC", "CUDA_ERROR_LAUNCH_TIMEOUT",
      "CUDA_ERROR_ECC_UNCORRECTABLE", "CUDA_ERROR_NVLINK_UNCORRECTABLE", "CUDA_ERROR_ASSERT",
      "CUDA_ERROR_CONTEXT_IS_DESTROYED", "CUDA_ERROR_DEVICE_UNAVAILABLE",
      "CUDA_ERROR_DEINITIALIZED", "CUDA_ERROR_UNKNOWN", "CUDA_ERROR_EXTERNAL_DEVICE");

  private final boolean deviceLost;

  public DeviceFailureException(String message) {
    super(message);
    this.deviceLost = false;
  }

  public DeviceFailureException(String message, Throwable cause) {
    this(message, cause, false);
  }

  DeviceFailureException(String message, Throwable cause, boolean deviceLost) {
    super(message, cause);
    this.deviceLost = deviceLost;
  }

  /**
   * The failure of a driver call, classified by the driver's error name.
   *
   * @param doing what was being done, e.g. "copying 4,096 bytes to the device"
   * @param driverError the driver's error as JCuda reports it, e.g. "CUDA_ERROR_ILLEGAL_ADDRESS"
   */
  static DeviceFailureException of(String doing, String driverError, Throwable cause) {
    String error = driverError == null ? "unknown error" : driverError.strip();
    boolean lost = isDeviceLost(error);
    String message = lost
        ? "the CUDA device was lost while " + doing + " (" + error + "); its context cannot "
            + "be used again in this process, so the work must restart in a new one"
        : "the CUDA device failed while " + doing + " (" + error + ")";
    return new DeviceFailureException(message, cause, lost);
  }

  /** Whether the driver's error leaves the context unusable, or means the device is gone. */
  static boolean isDeviceLost(String driverError) {
    if (driverError == null) {
      return false;
    }
    for (String name : LOST) {
      if (driverError.contains(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the device's context cannot be used again in this process: the backend must be
   * closed and the work restarted in a new process.
   */
  public boolean deviceLost() {
    return deviceLost;
  }
}
