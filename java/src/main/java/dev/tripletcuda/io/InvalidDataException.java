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
  private final String problem;

  /**
   * @param source the file (or embedded resource) name
   * @param place where in it, e.g. "byte 16" or "line 12, column 3"; null when the whole file
   * @param problem what is wrong
   */
  public InvalidDataException(String source, String place, String problem) {
    super(source + (place == null ? "" : ": " + place) + ": " + problem);
    this.source = source;
    this.place = place;
    this.problem = problem;
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

  /** What is wrong, without the file and the place. */
  public String problem() {
    return problem;
  }

  /**
   * Text taken from a file, made fit for a one-line message: in single quotes, control and
   * other invisible characters written as backslash-u escapes, cut to 40 characters.
   */
  public static String quote(String text) {
    if (text == null) {
      return "null";
    }
    boolean cut = text.length() > 40;
    String head = cut ? text.substring(0, 37) : text;
    StringBuilder s = new StringBuilder(head.length() + 8).append('\'');
    for (int i = 0; i < head.length(); i++) {
      char c = head.charAt(i);
      if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
          || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
        s.append(String.format("\\u%04X", (int) c));
      } else {
        s.append(c);
      }
    }
    return s.append(cut ? "...'" : "'").toString();
  }
}
