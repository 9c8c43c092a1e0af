package dev.tripletcuda.backend.cuda;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the failures of loading JCuda's native libraries into one line a user can act on. JCuda
 * reports a missing system library (libcuda.so.1, libcublas.so.12, libnvrtc.so.12) inside a
 * long multi-line message; this finds the library's name, and remembers the first failure of a
 * JCuda class because the JVM reports later uses only as "Could not initialize class".
 */
final class CudaNatives {

  private static final Pattern MISSING_LIBRARY =
      Pattern.compile("([\\w.+-]+\\.so(?:\\.[\\w.]+)?): cannot open shared object file");

  private static volatile String driverFailure;

  private CudaNatives() {}

  /** One line saying why a native library could not be loaded. */
  static String describe(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String message = c.getMessage();
      if (message == null) {
        continue;
      }
      Matcher m = MISSING_LIBRARY.matcher(message);
      if (m.find()) {
        return m.group(1) + " was not found";
      }
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /**
   * Why the JCuda driver bindings cannot be used: the first failure is remembered, since the
   * JVM gives every later attempt only NoClassDefFoundError.
   */
  static String driverFailure(LinkageError e) {
    String known = driverFailure;
    if (known != null) {
      return known;
    }
    String why = describe(e);
    if (why.startsWith("libcuda.so")) {
      why = "the NVIDIA driver library " + why + " (no NVIDIA driver installed?)";
    } else {
      why = "JCuda's driver bindings could not be loaded: " + why;
    }
    driverFailure = why;
    return why;
  }
}
