package dev.tripletcuda.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PkSamplerTest {

  private static int[] labels(int classes, int perClass) {
    int[] l = new int[classes * perClass];
    for (int i = 0; i < l.length; i++) {
      l[i] = i % classes;
    }
    return l;
  }

  @Test
  void eachBatchHoldsPDistinctClassesOfKSamples() {
    int[] l = labels(7, 9);
    PkSampler s = new PkSampler(l, 7, 3, 4, null, new SplitMix64(1));
    int[] rows = new int[12];
    int[] lab = new int[12];
    for (int batch = 0; batch < 50; batch++) {
      s.next(rows, lab);
      Set<Integer> classes = new HashSet<>();
      for (int c = 0; c < 3; c++) {
        Set<Integer> members = new HashSet<>();
        for (int j = 0; j < 4; j++) {
          int i = c * 4 + j;
          assertEquals(lab[c * 4], lab[i], "class-major layout");
          assertEquals(l[rows[i]], lab[i], "label matches row");
          members.add(rows[i]);
        }
        assertEquals(4, members.size(), "no row twice within a class block");
        classes.add(lab[c * 4]);
      }
      assertEquals(3, classes.size(), "distinct classes in batch " + batch);
    }
  }

  @Test
  void everySampleIsSeenBeforeAnyRepeats() {
    int[] l = labels(4, 8);
    PkSampler s = new PkSampler(l, 4, 4, 8, null, new SplitMix64(2));
    int[] rows = new int[32];
    int[] lab = new int[32];
    s.next(rows, lab);
    Set<Integer> seen = new HashSet<>();
    for (int r : rows) {
      seen.add(r);
    }
    assertEquals(32, seen.size());
  }

  @Test
  void savedStateReplaysTheSameBatches() {
    int[] l = labels(5, 11);
    PkSampler a = new PkSampler(l, 5, 2, 3, null, new SplitMix64(3));
    int[] rows = new int[6];
    int[] lab = new int[6];
    for (int i = 0; i < 7; i++) {
      a.next(rows, lab);
    }
    int[] state = a.saveState();
    int[] expected = new int[60];
    for (int i = 0; i < 10; i++) {
      a.next(rows, lab);
      System.arraycopy(rows, 0, expected, i * 6, 6);
    }
    PkSampler b = new PkSampler(l, 5, 2, 3, null, new SplitMix64(99));
    b.restoreState(state);
    int[] got = new int[60];
    for (int i = 0; i < 10; i++) {
      b.next(rows, lab);
      System.arraycopy(rows, 0, got, i * 6, 6);
    }
    assertArrayEquals(expected, got);
    PkSampler other = new PkSampler(labels(5, 12), 5, 2, 3, null, new SplitMix64(3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> other.restoreState(state));
    assertTrue(e.getMessage().contains("saved for other training data"), e.getMessage());
  }

  @Test
  void classNamesAppearInTheMessageAboutASmallClass() {
    int[] l = {0, 0, 0, 1, 1, 2, 2, 2};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PkSampler(l, 3, 2, 3, java.util.List.of("cat", "dog", "eel"),
            new SplitMix64(1)));
    assertTrue(e.getMessage().contains("class 'dog' has 2 training samples"), e.getMessage());
  }
}
