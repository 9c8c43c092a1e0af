package dev.tripletcuda.backend;

/** A requested device cannot be used; the message says which part failed and why. */
public class DeviceUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public DeviceUnavailableException(String message) {
    super(message);
  }

  public DeviceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
