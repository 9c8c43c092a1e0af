package dev.tripletcuda.backend.cuda;

import jcuda.driver.CUfunction;

/**
 * A loaded kernel with its argument block. The launcher that owns it writes the arguments and
 * calls {@link #launch}; the device adds the kernel's name and launch shape to any failure.
 */
final class Kernel {

  final KernelSignature signature;
  final CUfunction function;
  final KernelArgs args;
  private final CudaDevice device;

  Kernel(CudaDevice device, KernelSignature signature, CUfunction function) {
    this.device = device;
    this.signature = signature;
    this.function = function;
    this.args = new KernelArgs(signature.params());
  }

  /** Launches a (gridX, gridY) grid of 1-D blocks with the arguments as last written. */
  void launch(int gridX, int gridY, int block, int sharedBytes) {
    device.launch(this, gridX, gridY, block, sharedBytes);
  }

  String name() {
    return signature.name();
  }
}
