package dev.tripletcuda.report;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

/** Text for HTML pages. */
final class Html {

  private Html() {}

  /**
   * {@code s} safe inside an element or a quoted attribute: the five markup characters become
   * entities, and control characters other than tab and line breaks (which no page should
   * carry) become U+FFFD.
   */
  static String escape(String s) {
    requireNonNull("s", s);
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r'
            ? '\uFFFD' : c);
      }
    }
    return b.toString();
  }
}
