package dev.tripletcuda.train;

import dev.tripletcuda.nn.EmbeddingModel;
import java.util.List;

/**
 * The outcome of a training run.
 *
 * @param model the trained model with its input transform and settings
 * @param batches every batch's statistics, in order
 * @param epochs every epoch's means, in order
 * @param trainSeconds wall time of this process's training loop alone (no loading, no
 *     evaluation)
 * @param samples training samples this process processed (batches x batch size)
 * @param warnings what the run warned about (collapse), in order
 */
public record TrainResult(EmbeddingModel model, List<BatchStats> batches,
    List<EpochStats> epochs, double trainSeconds, long samples, List<String> warnings) {

  /** Training samples per second over the loop. */
  public double samplesPerSecond() {
    return trainSeconds > 0 ? samples / trainSeconds : 0;
  }

  /** The last batch's loss, or 0 when there were none. */
  public double finalLoss() {
    return batches.isEmpty() ? 0 : batches.get(batches.size() - 1).loss().loss();
  }
}
