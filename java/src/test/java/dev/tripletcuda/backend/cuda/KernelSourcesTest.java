package dev.tripletcuda.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The kernel sources as the build ships them (classpath resources, the files the jar holds)
 * agree with the launchers: every kernel the host launches exists with the parameter types its
 * argument block writes, every file opens with the header that says what it computes and how
 * it is launched, and the PTX holds every entry point when nvcc built it. A mismatch here would
 * be a silent fault on a GPU; this catches it without one.
 */
class KernelSourcesTest {

  private static final Pattern ENTRY = Pattern.compile(
      "extern \"C\" __global__ void\\s+(?:__launch_bounds__\\([^)]*\\)\\s+)?(\\w+)\\s*\\("
          + "([^)]*)\\)");

  private static String source(String file) {
    byte[] bytes = KernelModules.resource(file);
    assertNotNull(bytes, KernelModules.RESOURCES + file + " is not on the class path");
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** "p", "i", "l" or "f" for one C parameter declaration. */
  private static char typeOf(String param) {
    if (param.contains("*")) {
      return 'p';
    }
    if (param.contains("long long")) {
      return 'l';
    }
    if (param.contains("float")) {
      return 'f';
    }
    if (param.contains("int")) {
      return 'i';
    }
    throw new AssertionError("unknown parameter type: " + param);
  }

  @Test
  void everyLaunchedKernelExistsWithTheParameterTypesItsLauncherWrites() {
    for (KernelSignature s : KernelCatalog.all()) {
      String src = source(s.module() + ".cu");
      Matcher m = ENTRY.matcher(src);
      String found = null;
      while (m.find()) {
        if (m.group(1).equals(s.name())) {
          found = Stream.of(m.group(2).split(",")).map(String::trim)
              .map(p -> String.valueOf(typeOf(p))).collect(Collectors.joining());
        }
      }
      assertNotNull(found, s.name() + " is not an extern \"C\" kernel of " + s.module() + ".cu");
      assertEquals(s.params(), found, "parameter types of " + s.name() + " in " + s.module()
          + ".cu");
    }
  }

  @Test
  void everyKernelInTheSourcesIsLaunched() {
    Set<String> launched = KernelCatalog.all().stream().map(KernelSignature::name)
        .collect(Collectors.toSet());
    for (String module : KernelCatalog.modules()) {
      Matcher m = ENTRY.matcher(source(module + ".cu"));
      while (m.find()) {
        assertTrue(launched.contains(m.group(1)), module + ".cu defines " + m.group(1)
            + ", which no launcher names");
      }
    }
  }

  @Test
  void everyFileOpensWithItsHeader() {
    for (String module : KernelCatalog.modules()) {
      String header = header(source(module + ".cu"));
      assertTrue(header.startsWith("// " + module + ".cu: "), module
          + ".cu must open with '// " + module + ".cu: <what it computes>'");
      String lower = header.toLowerCase(Locale.ROOT);
      for (String word : List.of("grid", "block", "shared memory", "pointers")) {
        assertTrue(lower.contains(word), module + ".cu's header does not mention " + word);
      }
      for (KernelSignature s : KernelCatalog.all()) {
        if (s.module().equals(module)) {
          assertTrue(header.contains(s.name()), module + ".cu's header does not describe "
              + s.name());
        }
      }
    }
    for (String h : KernelModules.HEADERS) {
      assertTrue(header(source(h)).startsWith("// " + h + ": "), h + " has no header");
    }
  }

  private static String header(String src) {
    StringBuilder b = new StringBuilder();
    for (String line : src.split("\n")) {
      if (!line.startsWith("//")) {
        break;
      }
      b.append(line).append('\n');
    }
    return b.toString();
  }

  @Test
  void sourcesIncludeOnlyTheShippedHeadersAndStayWithin100Columns() {
    List<String> files = new ArrayList<>(KernelModules.HEADERS);
    for (String module : KernelCatalog.modules()) {
      files.add(module + ".cu");
    }
    for (String f : files) {
      String[] lines = source(f).split("\n");
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        assertTrue(line.length() <= 100, f + ":" + (i + 1) + " is " + line.length()
            + " columns");
        if (line.startsWith("#include")) {
          String name = line.replaceAll("#include\\s+\"([^\"]+)\".*", "$1");
          assertTrue(KernelModules.HEADERS.contains(name), f + ":" + (i + 1) + " includes "
              + line.substring(8).trim() + ": NVRTC gets only " + KernelModules.HEADERS);
        }
      }
    }
  }

  @Test
  void theFolderHoldsExactlyTheLaunchedModules() throws IOException {
    Path dir = kernelFolder();
    Set<String> onDisk;
    try (Stream<Path> files = Files.list(dir)) {
      onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
          .map(n -> n.substring(0, n.length() - 3)).collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(new TreeSet<>(KernelCatalog.modules()), onDisk, "kernel files in " + dir);
  }

  @Test
  void thePtxHoldsEveryEntryPointWhenNvccBuiltIt() {
    Assumptions.assumeTrue(nvccOnPath(), "nvcc is not on the PATH: the build ships sources "
        + "only");
    for (KernelSignature s : KernelCatalog.all()) {
      byte[] ptx = KernelModules.resource(s.module() + ".ptx");
      if (ptx == null) {
        fail(KernelModules.RESOURCES + s.module() + ".ptx is missing although nvcc is here");
      }
      String text = new String(ptx, StandardCharsets.US_ASCII);
      assertTrue(text.contains(".entry " + s.name() + "("), s.module() + ".ptx has no entry "
          + s.name());
      assertTrue(text.contains(".target sm_75"), s.module() + ".ptx is not for compute_75");
    }
  }

  static boolean nvccOnPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "nvcc"))) {
        return true;
      }
    }
    return false;
  }

  /** cuda-kernels/ beside the module folder the tests run in (or the working folder). */
  static Path kernelFolder() {
    Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path p : List.of(here.resolve("cuda-kernels"), here.resolveSibling("cuda-kernels"))) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    Assumptions.abort("cuda-kernels/ not found from " + here);
    return null;
  }
}
