package dev.tripletcuda.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tripletcuda.testing.ReportFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class ReportTest {

  @TempDir
  Path dir;

  private static BufferedImage chart(String title) {
    XYChart c = Charts.lines(title, "x", "y");
    Charts.line(c, "y", new double[] {1, 2, 3}, new double[] {3, 1, 2}, Charts.BLUE);
    return Charts.image(c);
  }

  private static Report sample() {
    return Report.builder("Run <1> & \"friends\"")
        .figure("first.png", "The first <figure>.", chart("first"))
        .figure("second-2.png", "The 'second' one.", chart("second"))
        .row("Metrics", "loss", "0.25")
        .row("Settings", "data", "/tmp/<x>&y.csv")
        .row("Metrics", "precision@1", "0.9")
        .series("loss", new double[] {0.5, Double.NaN, 0.25})
        .build();
  }

  @Test
  void writeCreatesTheFolderWithEveryFigureSeriesAndPage() throws IOException {
    Path out = dir.resolve("a/b/report");
    sample().write(out);

    String html = ReportFiles.check(out, "first.png", "second-2.png");
    BufferedImage img = ReportFiles.assertValidPng(out.resolve("first.png"));
    assertEquals(Charts.WIDTH, img.getWidth());
    assertEquals(Charts.HEIGHT, img.getHeight());
    assertTrue(html.contains("<img src=\"first.png\""), html);
    JsonNode series = ReportFiles.series(out);
    assertEquals(0.5, series.get("loss").get(0).asDouble());
    assertTrue(series.get("loss").get(1).isNull(), "NaN is written as null");
    assertEquals(0.25, series.get("loss").get(2).asDouble());
  }

  @Test
  void pageEscapesEveryString() {
    String html = sample().html();
    assertTrue(html.contains("Run &lt;1&gt; &amp; &quot;friends&quot;"), html);
    assertTrue(html.contains("/tmp/&lt;x&gt;&amp;y.csv"), html);
    assertTrue(html.contains("The first &lt;figure&gt;."), html);
    assertTrue(html.contains("The &#39;second&#39; one."), html);
    assertFalse(html.contains("<x>") || html.contains("<1>"), html);
  }

  @Test
  void escapeReplacesControlCharacters() {
    assertEquals("a\uFFFDb\tc", Html.escape("a\u0007b\tc"));
  }

  @Test
  void rowsOfASectionStayTogetherInOrderOfFirstUse() {
    Report r = sample();
    assertEquals("loss", r.rows().get(0).name());
    assertEquals("precision@1", r.rows().get(1).name());
    assertEquals("Settings", r.rows().get(2).section());
    assertEquals("0.9", r.value("precision@1"));
  }

  @Test
  void seriesAreCopies() {
    double[] values = {1, 2};
    Report r = Report.builder("t").series("s", values).build();
    values[0] = 7;
    r.series().get("s")[1] = 9;
    assertArrayEquals(new double[] {1, 2}, r.series().get("s"));
  }

  @Test
  void writeRefusesAFileWhereTheFolderShouldBe() throws IOException {
    Path file = Files.writeString(dir.resolve("taken"), "x");
    IOException e = assertThrows(IOException.class, () -> sample().write(file));
    assertTrue(e.getMessage().contains("is a file"), e.getMessage());
    assertEquals("x", Files.readString(file));
  }

  @Test
  void figureNamesAreCheckedAndUnique() {
    BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    for (String bad : new String[] {"../x.png", "A.png", "x.jpg", "x y.png", ".png"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Report.builder("t").figure(bad, "c", img));
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
    Report.Builder b = Report.builder("t").figure("x.png", "c", img);
    assertThrows(IllegalArgumentException.class, () -> b.figure("x.png", "d", img));
    Report.Builder s = Report.builder("t").series("s", new double[0]);
    assertThrows(IllegalArgumentException.class, () -> s.series("s", new double[0]));
  }
}
