package dev.tripletcuda.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FigureSpecTest {

  @Test
  void parseSplitsKindAndParameters() {
    FigureSpec f = FigureSpec.parse(" knn:q=2000,n=8000,d=128,k=10 ");
    assertEquals("knn", f.kind());
    assertEquals("knn:q=2000,n=8000,d=128,k=10", f.text());
    assertEquals(Map.of("q", "2000", "n", "8000", "d", "128", "k", "10"), f.params());
    assertEquals(8000, f.intParam("n"));
    assertEquals(16, f.intParam("m", 16));
  }

  @Test
  void parseRejectsAPairWithoutValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FigureSpec.parse("pairwise:n=1024,d"));
    assertTrue(e.getMessage().contains("'d' is not key=value"), e.getMessage());
  }

  @Test
  void parseRejectsAMissingKind() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FigureSpec.parse(":n=1"));
    assertTrue(e.getMessage().contains("has no kind"), e.getMessage());
  }

  @Test
  void intParamNamesTheBadValue() {
    FigureSpec f = FigureSpec.parse("pairwise:n=ten,d=0");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> f.intParam("n"));
    assertTrue(e.getMessage().contains("n=ten, expected a whole number >= 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> f.intParam("d"));
    e = assertThrows(IllegalArgumentException.class, () -> f.intParam("k"));
    assertTrue(e.getMessage().contains("lacks k="), e.getMessage());
  }

  @Test
  void readFileSkipsCommentsAndTargets(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("figures.txt");
    Files.writeString(file, "# a comment\n\ntrain:mining=batch-all   10\n"
        + "pairwise:n=1024,d=128 4  # trailing\n");
    List<FigureSpec> figures = FigureSpec.readFile(file);
    assertEquals(2, figures.size());
    assertEquals("train", figures.get(0).kind());
    assertEquals("pairwise:n=1024,d=128", figures.get(1).text());
  }

  @Test
  void readFileNamesTheBadLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("figures.txt");
    Files.writeString(file, "pairwise:n=1024\nknn:q\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FigureSpec.readFile(file));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void bundledFigureListsParse() throws Exception {
    for (String name : new String[] {"figures-cpu.txt", "figures-gpu.txt"}) {
      List<FigureSpec> figures = FigureSpec.readFile(Path.of(name));
      assertTrue(figures.size() >= 5, name);
    }
  }
}
