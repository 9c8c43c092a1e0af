package dev.tripletcuda.io;

/**
 * A file that cannot be used as it is: the message names the file, the place (a byte offset or
 * a line and column) and what is wrong. The command-line tool turns it into exit code 2 with no
 * stack trace.
 */
public class InvalidDataException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final String place;

  /**
   * @param source the file (or embedded resource) name
   * @param place where in it, e.g. "byte 16" or "line 12, column 3"; null when the whole file
   * @param problem what is wrong
   */
  public InvalidDataException(String source, String place, String problem) {
    super(source + (place == null ? "" : ": " + place) + ": " + problem);
    this.source = source;
    this.place = place;
  }

  public InvalidDataException(String source, String place, String problem, Throwable cause) {
    this(source, place, problem);
    initCause(cause);
  }

  /** The file or resource. */
  public String source() {
    return source;
  }

  /** Where in the file, or null. */
  public String place() {
    return place;
  }
}
