package dev.tripletcuda.cli;

/** An output file could not be written; nothing was left under its name. */
final class OutputException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  OutputException(String message, Throwable cause) {
    super(message, cause);
  }
}
