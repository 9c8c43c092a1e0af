package dev.tripletcuda.train;

/**
 * The loss or the gradient stopped being finite. Training stops before the faulty update is
 * applied, so the parameters are those after the last good batch.
 */
public class TrainingDivergedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int epoch;
  private final int batch;

  /**
   * @param lastCheckpoint where the last good checkpoint is, or null when none was written
   */
  public TrainingDivergedException(int epoch, int batch, String what, String lastCheckpoint) {
    super("training diverged at epoch " + epoch + ", batch " + batch + ": " + what
        + "; nothing was saved after it. "
        + (lastCheckpoint == null ? "No checkpoint was written (--checkpoint-every N saves "
            + "them)" : "The last good checkpoint is " + lastCheckpoint + "; resume from it "
            + "with --resume")
        + ", and try a lower --lr or another --mining mode");
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
