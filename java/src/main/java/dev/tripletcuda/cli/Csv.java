package dev.tripletcuda.cli;

/** Writing CSV cells. */
final class Csv {

  private Csv() {}

  /** The text as one CSV cell: quoted, with quotes doubled, when it holds , " or a newline. */
  static String cell(String text) {
    if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0
        && text.indexOf('\r') < 0) {
      return text;
    }
    return '"' + text.replace("\"", "\"\"") + '"';
  }
}
