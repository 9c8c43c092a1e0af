package dev.tripletcuda.backend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A device address that knows its numeric value, so that kernel arguments can be written as
 * plain 64-bit numbers instead of building pointer objects per launch.
 */
final class DevicePointer extends CUdeviceptr {

  /** A pointer the driver fills in (cuMemAlloc, cuMemHostGetDevicePointer). */
  DevicePointer() {}

  private DevicePointer(DevicePointer base, long byteOffset) {
    super(base, byteOffset);
  }

  /** A view {@code byteOffset} bytes into this pointer's memory. */
  DevicePointer offset(long byteOffset) {
    return byteOffset == 0 ? this : new DevicePointer(this, byteOffset);
  }

  /** The address as a number: what a kernel receives for a pointer argument. */
  long address() {
    return getNativePointer() + getByteOffset();
  }
}
