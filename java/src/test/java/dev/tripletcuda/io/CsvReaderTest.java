package dev.tripletcuda.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {

  @Test
  void isDecimalTakesPlainNumbersOnly() {
    for (String s : new String[] {"0", "-1", "+2.5", ".5", "7.", "1e5", "1E+2", "-.5e-3",
        "123456789012345678901234567890"}) {
      assertTrue(CsvReader.isDecimal(s), s);
    }
    for (String s : new String[] {"", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "1f", "1d",
        "0x10", "NaN", "Infinity", "1,5", " 1", "1 ", "--1", "1e5.5", "\u0661"}) {
      assertFalse(CsvReader.isDecimal(s), s);
    }
  }

  @Test
  void quotedCellsHoldCommasAndQuotes() {
    Dataset d = CsvReader.read("q", "x,label\n\"1.5\",\"a, b\"\n2,\"say \"\"hi\"\"\"\n");
    assertArrayEquals(new float[] {1.5f, 2}, d.features());
    assertEquals(List.of("a, b", "say \"hi\""), d.classNames());
  }

  @Test
  void byteOrderMarkDoesNotTurnTheFirstRowIntoAHeader() {
    Dataset d = CsvReader.read("bom", "\uFEFF1,2,a\n3,4,b\n");
    assertEquals(2, d.rows());
  }
}
