package dev.tripletcuda.cli;

/**
 * Sets the level of the tool's log lines (SLF4J simple, to standard error) from
 * {@code --quiet} and {@code --verbose} before any logger exists.
 */
final class Logging {

  private static final String LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  private Logging() {}

  static void configure(String[] args) {
    if (System.getProperty(LEVEL) != null) {
      return;
    }
    for (String a : args) {
      if (a.equals("-q") || a.equals("--quiet")) {
        System.setProperty(LEVEL, "warn");
      } else if (a.equals("-v") || a.equals("--verbose")) {
        System.setProperty(LEVEL, "debug");
      }
    }
  }
}
