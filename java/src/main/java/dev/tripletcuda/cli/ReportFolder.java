package dev.tripletcuda.cli;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.report.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The --report option of train and eval: where the plots and their page go. */
final class ReportFolder {

  private static final Logger log = LoggerFactory.getLogger(ReportFolder.class);

  private ReportFolder() {}

  /**
   * Fails before any work when the folder could not take the report: a path naming a file is
   * bad input (exit code 2); a folder that cannot be created or written is an output failure
   * (exit code 5). Creates the folder when absent.
   */
  static void prepare(Path dir) {
    if (dir == null) {
      return;
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--report " + dir + " is a file, expected a folder "
          + "(existing or to be created)");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new OutputException("cannot create report folder " + dir + ": " + what(e), e);
    }
    if (!Files.isWritable(dir)) {
      throw new OutputException("report folder " + dir + " is not writable", null);
    }
  }

  /** The rows every report ends with: the versions and the date (UTC). */
  static void addVersions(Report.Builder r, Backend backend) {
    String s = "Versions";
    String v = Main.class.getPackage().getImplementationVersion();
    r.row(s, "tripletcuda", v == null ? "(development build)" : v);
    r.row(s, "Java", Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")");
    r.row(s, "backend", backend.description());
    r.row(s, "date", ZonedDateTime.now(ZoneOffset.UTC).withNano(0)
        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
  }

  /** Writes the report; an I/O failure is an OutputException (exit code 5). */
  static void write(Report report, Path dir) {
    try {
      report.write(dir);
      log.info("report written to {}", dir.resolve(Report.INDEX_FILE));
    } catch (IOException e) {
      throw new OutputException("cannot write report in " + dir + ": " + what(e), e);
    }
  }

  private static String what(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + " " + e.getMessage();
  }
}
