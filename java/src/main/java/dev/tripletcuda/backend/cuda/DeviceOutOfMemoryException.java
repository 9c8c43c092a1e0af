package dev.tripletcuda.backend.cuda;

/** A device allocation failed for lack of memory; the message says how much was asked and free. */
public class DeviceOutOfMemoryException extends DeviceFailureException {

  private static final long serialVersionUID = 1L;

  private final long requestedBytes;
  private final long freeBytes;

  public DeviceOutOfMemoryException(String message, long requestedBytes, long freeBytes) {
    super(message);
    this.requestedBytes = requestedBytes;
    this.freeBytes = freeBytes;
  }

  /** The size of the allocation that failed. */
  public long requestedBytes() {
    return requestedBytes;
  }

  /** The device memory free when it failed, as the driver reported it. */
  public long freeBytes() {
    return freeBytes;
  }
}
