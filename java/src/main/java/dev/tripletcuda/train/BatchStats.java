package dev.tripletcuda.train;

import dev.tripletcuda.loss.LossStats;

/**
 * What one training batch reports.
 *
 * @param epoch 1-based
 * @param batch 1-based within the epoch
 * @param step 1-based over the whole run
 * @param loss the loss and its triplet counts and distances
 * @param gradNorm the L2 norm of the gradient over all parameters
 * @param seconds time since training started
 */
public record BatchStats(int epoch, int batch, long step, LossStats loss, double gradNorm,
    double seconds) {}
