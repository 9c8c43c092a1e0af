package dev.tripletcuda.cli;

import dev.tripletcuda.backend.DeviceUnavailableException;
import dev.tripletcuda.backend.cuda.DeviceFailureException;
import dev.tripletcuda.io.InvalidDataException;
import dev.tripletcuda.train.TrainingDeviceFailureException;
import dev.tripletcuda.train.TrainingDivergedException;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tripletcuda} command: subcommands for training and for using trained models.
 * Errors the user can fix reach the terminal as one line with a documented exit code
 * ({@link ExitCodes}); only internal errors print a stack trace.
 */
@Command(name = "tripletcuda", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Deep metric learning with the triplet loss, on NVIDIA GPUs or the CPU.",
    subcommands = {TrainCommand.class, EvalCommand.class, EmbedCommand.class,
        SearchCommand.class, VerifyCommand.class, FewShotCommand.class},
    footer = {"", "Exit codes: 0 ok, 1 internal error, 2 bad input (options, data, model "
        + "files), 3 CUDA device unavailable, 4 training diverged, 5 output could not be "
        + "written, 6 the GPU failed during training (the last checkpoint is kept)."})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Logging.configure(args);
    Optional<Integer> child = VectorRelaunch.relaunch(args);
    if (child.isPresent()) {
      System.exit(child.get());
    }
    System.exit(run(args));
  }

  /** Runs the tool in this JVM and returns its exit code; for tests and embedding. */
  public static int run(String... args) {
    Logging.configure(args);
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(Main::handle);
    cl.setParameterExceptionHandler(Main::badOptions);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** Maps the failures a user can act on to one line and an exit code. */
  static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    Throwable t = e;
    if (t instanceof InvalidDataException || t instanceof IllegalArgumentException) {
      return error(err, t.getMessage(), ExitCodes.BAD_INPUT);
    }
    if (t instanceof TrainingDeviceFailureException) {
      return error(err, t.getMessage(), ExitCodes.DEVICE_FAILED);
    }
    if (t instanceof DeviceFailureException) {
      return error(err, t.getMessage(), ExitCodes.DEVICE_UNAVAILABLE);
    }
    if (t instanceof DeviceUnavailableException) {
      return error(err, "CUDA device unavailable: " + t.getMessage(),
          ExitCodes.DEVICE_UNAVAILABLE);
    }
    if (t instanceof TrainingDivergedException) {
      return error(err, t.getMessage(), ExitCodes.DIVERGED);
    }
    if (t instanceof OutputException || t instanceof java.io.UncheckedIOException) {
      return error(err, t.getMessage(), ExitCodes.OUTPUT_FAILED);
    }
    err.println("internal error (please report it with the command that caused it):");
    e.printStackTrace(err);
    err.flush();
    return ExitCodes.INTERNAL;
  }

  /**
   * An option the parser refused (unknown, missing value, wrong type): one line naming it and
   * pointing to the help, instead of the whole usage text.
   */
  static int badOptions(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    String message = e.getMessage();
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      message += "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
    }
    return error(cl.getErr(), message + " (see '" + cl.getCommandSpec().qualifiedName()
        + " --help')", ExitCodes.BAD_INPUT);
  }

  /** Prints "error: " and the message on one line, whatever characters it holds. */
  private static int error(PrintWriter err, String message, int code) {
    String text = message == null ? "(no message)" : message;
    StringBuilder line = new StringBuilder("error: ");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      // A line break would split the error; other control characters could move the cursor.
      line.append(Character.isISOControl(c) ? (Character.isWhitespace(c) ? ' ' : '?') : c);
    }
    err.println(line);
    err.flush();
    return code;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tripletcuda " + (v == null ? "(development build)" : v)
          + ", Java " + Runtime.version()};
    }
  }
}
