package dev.tripletcuda.cli;

/** The exit codes of the command-line tool, as documented in the README. */
public final class ExitCodes {

  /** Success. */
  public static final int OK = 0;

  /** An unexpected internal error: a bug; the message and stack trace are printed. */
  public static final int INTERNAL = 1;

  /** Bad input: an option, a data file or a model file; the message says which and where. */
  public static final int BAD_INPUT = 2;

  /**
   * {@code --device cuda} without a usable GPU, or the GPU failed during a command other than
   * training.
   */
  public static final int DEVICE_UNAVAILABLE = 3;

  /** Training diverged: the loss or gradient stopped being finite. */
  public static final int DIVERGED = 4;

  /** Writing an output file failed (disk full, permissions). */
  public static final int OUTPUT_FAILED = 5;

  /**
   * The GPU failed while training ran (a kernel fault, the device lost): training stopped,
   * nothing was saved after the failure, and the message names the last checkpoint to resume
   * from.
   */
  public static final int DEVICE_FAILED = 6;

  private ExitCodes() {}
}
