package dev.tripletcuda.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/** Checks on a report folder as a browser would meet it. */
public final class ReportFiles {

  private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]+)\"");

  private ReportFiles() {}

  /**
   * Asserts that every named PNG is a readable image of a sane size with more than one colour,
   * and that index.html is a complete page that shows exactly those images, holds a table and
   * names no address; returns the page.
   */
  public static String check(Path dir, String... pngs) throws IOException {
    for (String name : pngs) {
      assertValidPng(dir.resolve(name));
    }
    String html = Files.readString(dir.resolve("index.html"), StandardCharsets.UTF_8);
    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.trim().endsWith("</html>"), html);
    assertTrue(html.contains("<table>") && html.contains("</table>"), html);
    assertFalse(html.contains("http:") || html.contains("https:"), "an address in\n" + html);
    assertFalse(html.contains("<script"), "a script in\n" + html);
    Matcher m = IMG.matcher(html);
    int images = 0;
    while (m.find()) {
      String src = m.group(1);
      assertTrue(Files.isRegularFile(dir.resolve(src)), "the page shows missing " + src);
      assertTrue(java.util.Arrays.asList(pngs).contains(src), "unexpected image " + src);
      images++;
    }
    assertEquals(pngs.length, images, html);
    // Tags open and close in equal numbers: a cheap well-formedness check.
    for (String tag : new String[] {"table", "tr", "td", "th", "figure", "figcaption", "div"}) {
      assertEquals(count(html, "<" + tag + ">") + count(html, "<" + tag + " "),
          count(html, "</" + tag + ">"), tag + " in\n" + html);
    }
    return html;
  }

  /** A PNG that ImageIO reads, 50..4000 pixels a side, not of one colour. */
  public static BufferedImage assertValidPng(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertTrue(bytes.length > 8 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P'
        && bytes[2] == 'N' && bytes[3] == 'G', file + " is not a PNG");
    BufferedImage img = ImageIO.read(file.toFile());
    assertNotNull(img, file + " is not readable");
    assertTrue(img.getWidth() >= 50 && img.getWidth() <= 4000 && img.getHeight() >= 50
        && img.getHeight() <= 4000, file + " is " + img.getWidth() + "x" + img.getHeight());
    int first = img.getRGB(0, 0);
    boolean varied = false;
    for (int y = 0; y < img.getHeight() && !varied; y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if (img.getRGB(x, y) != first) {
          varied = true;
          break;
        }
      }
    }
    assertTrue(varied, file + " is of one colour");
    return img;
  }

  /** series.json of a report folder. */
  public static JsonNode series(Path dir) throws IOException {
    return new ObjectMapper().readTree(dir.resolve("series.json").toFile());
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
