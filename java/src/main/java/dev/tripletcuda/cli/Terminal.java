package dev.tripletcuda.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether a person is watching: decides between a progress bar and plain log lines. */
final class Terminal {

  private Terminal() {}

  /** True when standard error goes to an interactive terminal. */
  static boolean interactive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    // From Java 22 a console exists even when redirected; isTerminal() tells them apart.
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
