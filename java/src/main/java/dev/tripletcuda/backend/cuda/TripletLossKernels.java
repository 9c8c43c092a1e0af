package dev.tripletcuda.backend.cuda;

import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import java.util.List;

/**
 * Launches {@code triplet_loss_kernels.cu}: mining per anchor, the reduction, the symmetrised
 * coefficients and the gradient epilogue of the mined loss, and the explicit-triplet loss.
 */
final class TripletLossKernels {

  static final String MODULE = "triplet_loss_kernels";
  static final KernelSignature MINE_BATCH_ALL =
      new KernelSignature(MODULE, "triplet_mine_batch_all", "ppifpp");
  static final KernelSignature MINE_BATCH_HARD =
      new KernelSignature(MODULE, "triplet_mine_batch_hard", "ppifpp");
  static final KernelSignature MINE_SEMI_HARD =
      new KernelSignature(MODULE, "triplet_mine_semi_hard", "ppifppp");
  static final KernelSignature REDUCE =
      new KernelSignature(MODULE, "triplet_loss_reduce", "piip");
  static final KernelSignature SYMMETRIZE =
      new KernelSignature(MODULE, "triplet_symmetrize", "pipp");
  static final KernelSignature GRAD_EPILOGUE =
      new KernelSignature(MODULE, "triplet_grad_epilogue", "pppiip");
  static final KernelSignature EXPLICIT_FORWARD =
      new KernelSignature(MODULE, "triplet_explicit_forward", "piipppifpp");
  static final KernelSignature EXPLICIT_BACKWARD =
      new KernelSignature(MODULE, "triplet_explicit_backward", "piipppifpp");
  static final List<KernelSignature> SIGNATURES = List.of(MINE_BATCH_ALL, MINE_BATCH_HARD,
      MINE_SEMI_HARD, REDUCE, SYMMETRIZE, GRAD_EPILOGUE, EXPLICIT_FORWARD, EXPLICIT_BACKWARD);

  /** Bytes of one LossPartial (common.cuh): three doubles, two long longs. */
  static final int PARTIAL_BYTES = 40;

  /**
   * Bytes of the LossResult (common.cuh): loss, positive and negative sums (doubles at 0, 8,
   * 16), triplets and active counts (long longs at 24, 32), the weight (float at 40).
   */
  static final int RESULT_BYTES = 48;

  /** Blocks of the explicit forward pass at most, and so its partials. */
  static final int MAX_EXPLICIT_BLOCKS = 1024;

  private final Kernel batchAll;
  private final Kernel batchHard;
  private final Kernel semiHard;
  private final Kernel reduce;
  private final Kernel symmetrize;
  private final Kernel gradEpilogue;
  private final Kernel explicitForward;
  private final Kernel explicitBackward;
  private final CudaDevice device;

  TripletLossKernels(CudaDevice device) {
    this.device = device;
    this.batchAll = device.kernel(MINE_BATCH_ALL);
    this.batchHard = device.kernel(MINE_BATCH_HARD);
    this.semiHard = device.kernel(MINE_SEMI_HARD);
    this.reduce = device.kernel(REDUCE);
    this.symmetrize = device.kernel(SYMMETRIZE);
    this.gradEpilogue = device.kernel(GRAD_EPILOGUE);
    this.explicitForward = device.kernel(EXPLICIT_FORWARD);
    this.explicitBackward = device.kernel(EXPLICIT_BACKWARD);
  }

  /**
   * Writes coef (b, b) and partials (b) from dist (b, b) and labels (b). One block of 256
   * threads per anchor: an anchor's row is a few hundred candidates, which one block stages
   * through shared memory 256 at a time. selected (b, b) ints is scratch for semi-hard.
   */
  void mine(Mining mining, DevicePointer dist, DevicePointer labels, int b, float margin,
      DevicePointer selected, DevicePointer coef, DevicePointer partials) {
    Kernel k;
    switch (mining) {
      case BATCH_HARD:
        k = batchHard;
        break;
      case SEMI_HARD:
        k = semiHard;
        break;
      case BATCH_ALL:
      default:
        k = batchAll;
        break;
    }
    k.args.ptr(0, dist).ptr(1, labels).i32(2, b).f32(3, margin);
    if (k == semiHard) {
      k.args.ptr(4, selected).ptr(5, coef).ptr(6, partials);
    } else {
      k.args.ptr(4, coef).ptr(5, partials);
    }
    k.launch(b, 1, Launch.BLOCK, 0);
  }

  /** result = the sums of partials (count) and the reduction weight; one block. */
  void reduce(DevicePointer partials, int count, Reduction reduction, DevicePointer result) {
    reduce.args.ptr(0, partials).i32(1, count).i32(2, code(reduction)).ptr(3, result);
    reduce.launch(1, 1, Launch.BLOCK, 0);
  }

  /** The kernel's code for a reduction: 0 sum, 1 mean, 2 mean over active triplets. */
  static int code(Reduction reduction) {
    switch (reduction) {
      case SUM:
        return 0;
      case MEAN:
        return 1;
      case MEAN_ACTIVE:
        return 2;
      default:
        throw new AssertionError(reduction);
    }
  }

  /** sym (b, b) = coef + coef^T, rowSums (b) its row sums; one block per row. */
  void symmetrize(DevicePointer coef, int b, DevicePointer sym, DevicePointer rowSums) {
    symmetrize.args.ptr(0, coef).i32(1, b).ptr(2, sym).ptr(3, rowSums);
    symmetrize.launch(b, 1, Launch.BLOCK, 0);
  }

  /** In place on grad (b, d), holding S E: the gradient. Grid-stride over b x d. */
  void gradEpilogue(DevicePointer emb, DevicePointer rowSums, DevicePointer result, int b, int d,
      DevicePointer grad) {
    long total = (long) b * d;
    if (total == 0) {
      return;
    }
    gradEpilogue.args.ptr(0, emb).ptr(1, rowSums).ptr(2, result).i32(3, b).i32(4, d)
        .ptr(5, grad);
    gradEpilogue.launch(Launch.strideBlocks(total), 1, Launch.BLOCK, 0);
  }

  /**
   * Partials of count explicit triplets over emb (rows, d): one warp per triplet, eight per
   * block, at most {@link #MAX_EXPLICIT_BLOCKS} blocks striding over the rest.
   *
   * @return the number of partials written
   */
  int explicitForward(DevicePointer emb, int rows, int d, DevicePointer anchors,
      DevicePointer positives, DevicePointer negatives, int count, float margin,
      DevicePointer partials) {
    int blocks = explicitBlocks(count);
    explicitForward.args.ptr(0, emb).i32(1, rows).i32(2, d).ptr(3, anchors).ptr(4, positives)
        .ptr(5, negatives).i32(6, count).f32(7, margin).ptr(8, partials)
        .ptr(9, device.faultPointer());
    explicitForward.launch(blocks, 1, Launch.BLOCK, 0);
    return blocks;
  }

  /** grad (rows, d), zeroed by the caller, += the active triplets' gradients. */
  void explicitBackward(DevicePointer emb, int rows, int d, DevicePointer anchors,
      DevicePointer positives, DevicePointer negatives, int count, float margin,
      DevicePointer result, DevicePointer grad) {
    explicitBackward.args.ptr(0, emb).i32(1, rows).i32(2, d).ptr(3, anchors).ptr(4, positives)
        .ptr(5, negatives).i32(6, count).f32(7, margin).ptr(8, result).ptr(9, grad);
    explicitBackward.launch(explicitBlocks(count), 1, Launch.BLOCK, 0);
  }

  private static int explicitBlocks(int count) {
    return Math.max(1, Math.min(MAX_EXPLICIT_BLOCKS, Launch.ceilDiv(count, Launch.WARPS)));
  }
}
