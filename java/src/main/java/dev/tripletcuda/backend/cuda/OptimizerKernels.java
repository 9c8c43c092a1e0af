package dev.tripletcuda.backend.cuda;

import java.util.List;

/** Launches {@code optimizer_kernels.cu}: Adam and SGD steps over one flat buffer. */
final class OptimizerKernels {

  static final String MODULE = "optimizer_kernels";
  static final KernelSignature ADAM = new KernelSignature(MODULE, "adam_step", "pppplffffff");
  static final KernelSignature SGD = new KernelSignature(MODULE, "sgd_step", "ppplfff");
  static final List<KernelSignature> SIGNATURES = List.of(ADAM, SGD);

  private final Kernel adam;
  private final Kernel sgd;

  OptimizerKernels(CudaDevice device) {
    this.adam = device.kernel(ADAM);
    this.sgd = device.kernel(SGD);
  }

  /**
   * One Adam step over n elements, grid-stride. The bias corrections are computed on the host
   * from the step number, in double and then rounded, exactly as the CPU engine does.
   */
  void adam(DevicePointer params, DevicePointer grads, DevicePointer m, DevicePointer v, long n,
      float lr, float beta1, float beta2, float eps, float weightDecay, long step) {
    if (n == 0) {
      return;
    }
    float bc1 = (float) (1 - Math.pow(beta1, step));
    float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
    adam.args.ptr(0, params).ptr(1, grads).ptr(2, m).ptr(3, v).i64(4, n).f32(5, beta1)
        .f32(6, beta2).f32(7, eps).f32(8, weightDecay).f32(9, lr / bc1).f32(10, bc2Sqrt);
    adam.launch(Launch.strideBlocks(n), 1, Launch.BLOCK, 0);
  }

  /** One SGD step with momentum over n elements, grid-stride. */
  void sgd(DevicePointer params, DevicePointer grads, DevicePointer velocity, long n, float lr,
      float momentum, float weightDecay) {
    if (n == 0) {
      return;
    }
    sgd.args.ptr(0, params).ptr(1, grads).ptr(2, velocity).i64(3, n).f32(4, lr)
        .f32(5, momentum).f32(6, weightDecay);
    sgd.launch(Launch.strideBlocks(n), 1, Launch.BLOCK, 0);
  }
}
