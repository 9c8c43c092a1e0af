package dev.tripletcuda.train;

/**
 * The loss or the gradient stopped being finite. Training stops before the faulty update is
 * applied, so the parameters are those after the last good batch.
 */
public class TrainingDivergedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int epoch;
  private final int batch;

  public TrainingDivergedException(int epoch, int batch, String what) {
    super("training diverged at epoch " + epoch + ", batch " + batch + ": " + what
        + "; try a lower --lr or another --mining mode");
    this.epoch = epoch;
    this.batch = batch;
  }

  /** 1-based epoch of the faulty batch. */
  public int epoch() {
    return epoch;
  }

  /** 1-based batch within the epoch. */
  public int batch() {
    return batch;
  }
}
