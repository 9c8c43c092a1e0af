package dev.tripletcuda.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.tripletcuda.nn.ModelFile;
import dev.tripletcuda.testing.Corpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file of the malformed-input corpus fails with the error its manifest documents: an
 * {@link InvalidDataException} naming the file, the place and the problem, on one line.
 */
class MalformedInputCorpusTest {

  /** The public loader of each corpus folder. */
  static final Map<String, Function<Path, Object>> LOADERS = new LinkedHashMap<>();

  static {
    LOADERS.put("idx", DataSources::load);
    LOADERS.put("csv", DataSources::load);
    LOADERS.put("gzip", DataSources::load);
    LOADERS.put("safetensors", SafeTensors::read);
    LOADERS.put("model", ModelFile::load);
  }

  @TestFactory
  Stream<DynamicTest> everyMalformedFileGivesItsDocumentedError() {
    return LOADERS.entrySet().stream().flatMap(loader -> Corpus.cases(loader.getKey()).stream()
        .map(c -> dynamicTest(loader.getKey() + "/" + c.file(), () -> {
          Path dir = Corpus.dir(loader.getKey());
          Path input = dir.resolve(c.file());
          assertTrue(Files.exists(input), "the manifest names a missing file " + input);
          InvalidDataException e = assertThrows(InvalidDataException.class,
              () -> loader.getValue().apply(input), "no error for " + input);
          assertEquals(dir.resolve(c.blamed()).toString(), e.source(), e.getMessage());
          assertEquals(c.place(), e.place(), e.getMessage());
          assertTrue(e.getMessage().contains(c.fragment()), "message of " + c.file()
              + " lacks '" + c.fragment() + "': " + e.getMessage());
          assertTrue(e.getMessage().startsWith(e.source() + ": "), e.getMessage());
          assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"),
              "a message on more than one line: " + e.getMessage());
        })));
  }

  @TestFactory
  Stream<DynamicTest> everyGoodFileLoads() {
    return LOADERS.entrySet().stream().flatMap(loader -> Corpus.good(loader.getKey()).stream()
        .filter(p -> !p.getFileName().toString().contains("labels"))
        .map(p -> dynamicTest(loader.getKey() + "/good/" + p.getFileName(),
            () -> assertNotNull(loader.getValue().apply(p)))));
  }

  @Test
  void everyFormatHasCasesAndGoodFiles() {
    for (String format : LOADERS.keySet()) {
      assertFalse(Corpus.cases(format).isEmpty(), format);
      assertFalse(Corpus.good(format).isEmpty(), format);
    }
  }
}
