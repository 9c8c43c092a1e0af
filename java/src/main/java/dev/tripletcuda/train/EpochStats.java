package dev.tripletcuda.train;

/**
 * Means over one epoch's batches.
 *
 * @param epoch 1-based
 * @param loss mean batch loss
 * @param activeFraction mean fraction of active triplets
 * @param meanPositive mean d(a, p)
 * @param meanNegative mean d(a, n)
 * @param samplesPerSecond training samples per second over the epoch
 */
public record EpochStats(int epoch, double loss, double activeFraction, double meanPositive,
    double meanNegative, double samplesPerSecond) {}
