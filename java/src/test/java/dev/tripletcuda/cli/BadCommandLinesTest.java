package dev.tripletcuda.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.tripletcuda.testing.Corpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command line of {@code corpus/cli/cases.tsv} exits with code 2 and one error line,
 * prints nothing on stdout, and leaves no file behind.
 */
class BadCommandLinesTest {

  @TempDir
  Path tmp;

  @TestFactory
  Stream<DynamicTest> everyBadCommandLineExitsTwoWithOneLineAndNoOutput() {
    return Corpus.rows("cli").stream().map(row -> dynamicTest(row[0], () -> {
      Path dir = Files.createDirectories(tmp.resolve("case" + Math.abs(row[0].hashCode())));
      Path empty = Files.createDirectories(dir.resolve("empty"));
      Path out = dir.resolve("model.safetensors");
      List<String> args = new ArrayList<>();
      for (String a : row[0].split(" ")) {
        args.add(a.replace("{corpus}", Corpus.root().toString())
            .replace("{out}", out.toString()).replace("{dir}", empty.toString()));
      }
      if (args.get(0).equals("train") && !row[0].contains("--out")) {
        args.addAll(List.of("--out", out.toString()));
      }

      Object[] r = TrainCommandTest.run(args.toArray(new String[0]));
      String err = (String) r[2];
      String context = String.join(" ", args) + "\nstderr:\n" + err;
      assertEquals(ExitCodes.BAD_INPUT, r[0], context);
      assertEquals("", r[1], "nothing on stdout: " + context);
      List<String> errors = err.lines().filter(l -> !isLogLine(l))
          .collect(Collectors.toList());
      assertEquals(1, errors.size(), "one error line: " + context);
      assertTrue(errors.get(0).startsWith("error: "), context);
      assertTrue(errors.get(0).contains(row[1]), "'" + row[1] + "' missing: " + context);
      assertFalse(Files.exists(out), "no model file: " + context);
      assertEquals(List.of("empty"), list(dir), "no temporary files: " + context);
    }));
  }

  /** Lines of the log, which may come before the error (the backend opened, the data read). */
  private static boolean isLogLine(String line) {
    return Arrays.stream(new String[] {"INFO ", "WARN ", "DEBUG "}).anyMatch(line::startsWith);
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }
}
