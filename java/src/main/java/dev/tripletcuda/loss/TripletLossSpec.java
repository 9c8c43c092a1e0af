package dev.tripletcuda.loss;

/**
 * The definition of one triplet loss: per triplet max(0, d(a, p) - d(a, n) + margin) with d
 * the squared L2 distance, the triplets drawn by {@code mining}, combined by {@code reduction}.
 *
 * <p>A triplet is active when {@code d(a, n) < d(a, p) + margin}, the sum evaluated in float32;
 * every backend uses exactly this test so that the active counts agree.
 */
public record TripletLossSpec(Mining mining, float margin, Reduction reduction) {

  /** Margin 0.2, batch-all mining, mean over active triplets. */
  public static final TripletLossSpec DEFAULT =
      new TripletLossSpec(Mining.BATCH_ALL, 0.2f, Reduction.MEAN_ACTIVE);

  public TripletLossSpec {
    if (mining == null) {
      throw new IllegalArgumentException("mining=null, expected batch-all, batch-hard or "
          + "semi-hard");
    }
    if (reduction == null) {
      throw new IllegalArgumentException("reduction=null, expected sum, mean or mean-active");
    }
    if (!(margin >= 0) || Float.isInfinite(margin)) {
      throw new IllegalArgumentException("margin=" + margin + ", expected a finite value >= 0");
    }
  }
}
