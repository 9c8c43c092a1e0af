package dev.tripletcuda.backend.cuda;

import dev.tripletcuda.backend.DeviceUnavailableException;

/**
 * The GPU failed while the CUDA backend was in use: a kernel did not launch or faulted, a
 * driver call failed. The message names the operation (the kernel and its launch shape where
 * there is one) and the driver's error.
 */
public class DeviceFailureException extends DeviceUnavailableException {

  private static final long serialVersionUID = 1L;

  public DeviceFailureException(String message) {
    super(message);
  }

  public DeviceFailureException(String message, Throwable cause) {
    super(message, cause);
  }
}
