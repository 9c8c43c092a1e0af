package dev.tripletcuda.train;

/**
 * The device failed while training ran (a kernel fault, the GPU lost or out of memory).
 * Training stops where it was; nothing is saved after the failure, and the last checkpoint,
 * written before it, stays as it was.
 */
public class TrainingDeviceFailureException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int epoch;
  private final int batch;
  private final String lastCheckpoint;

  /**
   * @param epoch 1-based epoch of the batch that failed
   * @param batch 1-based batch within the epoch
   * @param what the device's failure, in words
   * @param lastCheckpoint where the last good checkpoint is, or null when none was written
   */
  public TrainingDeviceFailureException(int epoch, int batch, String what,
      String lastCheckpoint, Throwable cause) {
    super(message(epoch, batch, what, lastCheckpoint), cause);
    this.epoch = epoch;
    this.batch = batch;
    this.lastCheckpoint = lastCheckpoint;
  }

  static String message(int epoch, int batch, String what, String lastCheckpoint) {
    return "training stopped at epoch " + epoch + ", batch " + batch + ": " + what
        + "; nothing was saved after it. "
        + (lastCheckpoint == null ? "No checkpoint was written (--checkpoint-every N saves "
            + "them)" : "The last good checkpoint is " + lastCheckpoint + "; resume from it "
            + "with --resume, on this device once it works again or with --device cpu");
  }

  /** 1-based epoch of the batch that failed. */
  public int epoch() {
    return epoch;
  }

  /** 1-based batch within the epoch. */
  public int batch() {
    return batch;
  }

  /** Where the last good checkpoint is, or null when none was written. */
  public String lastCheckpoint() {
    return lastCheckpoint;
  }
}
