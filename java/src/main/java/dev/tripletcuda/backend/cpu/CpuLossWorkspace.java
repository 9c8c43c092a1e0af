package dev.tripletcuda.backend.cpu;

import dev.tripletcuda.backend.TripletLossWorkspace;

/**
 * Scratch for the mined triplet loss on the CPU, sized once for the largest batch B:
 * the (B, B) distances and coefficients, per-anchor partial sums, and per-part sort buffers.
 */
final class CpuLossWorkspace implements TripletLossWorkspace {

  final int capacity;
  /** (B, B) squared distances, later C + C^T. */
  final CpuTensor dist;
  /** (B, B) dLoss/dDist before the reduction weight: active-triplet counts, signed. */
  final float[] coef;
  /** (B, 1) squared row norms. */
  final float[] norms;

  // Per-anchor partials (B), summed in anchor order so that threads do not change the result.
  final double[] lossPart;
  final long[] tripletPart;
  final long[] activePart;
  final double[] posPart;
  final double[] negPart;

  /** Per-part scratch, indexed [part][0 .. B]. */
  final int[][] posIdx;
  final float[][] posDist;
  final int[][] negIdx;
  final float[][] negDist;
  final long[][] keys;
  final float[][] sorted;
  final int[][] hist;
  final double[][] histSum;

  private final CpuBackend owner;
  private boolean closed;

  CpuLossWorkspace(CpuBackend owner, int capacity, int parts) {
    this.owner = owner;
    this.capacity = capacity;
    this.dist = CpuTensor.wrap(owner, new float[capacity * capacity], capacity, capacity);
    this.coef = new float[capacity * capacity];
    this.norms = new float[capacity];
    this.lossPart = new double[capacity];
    this.tripletPart = new long[capacity];
    this.activePart = new long[capacity];
    this.posPart = new double[capacity];
    this.negPart = new double[capacity];
    this.posIdx = new int[parts][capacity];
    this.posDist = new float[parts][capacity];
    this.negIdx = new int[parts][capacity];
    this.negDist = new float[parts][capacity];
    this.keys = new long[parts][capacity];
    this.sorted = new float[parts][capacity];
    this.hist = new int[parts][capacity + 1];
    this.histSum = new double[parts][capacity + 1];
    owner.allocated(bytes());
  }

  private long bytes() {
    long b = capacity;
    return 4 * b * b + 4 * b + 40 * b + (long) posIdx.length * (4 + 4 + 4 + 4 + 8 + 4 + 4 + 8) * b;
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      owner.released(bytes());
    }
  }
}
