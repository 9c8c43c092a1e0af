package dev.tripletcuda.train;

/**
 * Hears about a training run as it goes: for progress bars, logs and reports. Called on the
 * training thread; time spent here counts towards the measured training speed, so keep it short.
 */
public interface TrainingListener {

  /** A listener that ignores everything. */
  TrainingListener NONE = new TrainingListener() {};

  /** Before the first batch. */
  default void onStart(int epochs, int batchesPerEpoch, int batchSize) {}

  /** After each batch's update. */
  default void onBatch(BatchStats stats) {}

  /** After each epoch. */
  default void onEpoch(EpochStats stats) {}

  /** Something a person should know, such as a collapsing embedding; also logged. */
  default void onWarning(String message) {}
}
