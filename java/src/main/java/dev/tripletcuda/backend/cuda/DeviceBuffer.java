package dev.tripletcuda.backend.cuda;

/** One device allocation of the backend: its pointer, its size and whether it was freed. */
final class DeviceBuffer {

  final DevicePointer pointer;
  final long bytes;
  /** Whether it counts in {@link CudaBackend#liveBuffers()}: tensors yes, scratch no. */
  final boolean counted;
  private boolean freed;

  DeviceBuffer(DevicePointer pointer, long bytes, boolean counted) {
    this.pointer = pointer;
    this.bytes = bytes;
    this.counted = counted;
  }

  boolean freed() {
    return freed;
  }

  void markFreed() {
    freed = true;
  }
}
