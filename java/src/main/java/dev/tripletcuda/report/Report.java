package dev.tripletcuda.report;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tripletcuda.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * A report folder: PNG figures, the numbers behind them ({@value #SERIES_FILE}) and an
 * {@value #INDEX_FILE} that shows the figures beside a table of figures, settings and versions.
 * The page references its images by relative name and holds no script and no address, so it
 * opens from disk with no server and no network.
 *
 * <p>Every file is written atomically ({@link AtomicFiles}); the page comes last, so a folder
 * whose page exists holds every image the page names.
 */
public final class Report {

  /** The page. */
  public static final String INDEX_FILE = "index.html";

  /** The plotted series as JSON: name to array of numbers, NaN as null. */
  public static final String SERIES_FILE = "series.json";

  private static final Pattern FIGURE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*\\.png");

  private final String title;
  private final List<Figure> figures;
  private final List<Row> rows;
  private final Map<String, double[]> series;

  /**
   * One image of the page.
   *
   * @param file its name in the folder, lower case, ending .png
   * @param caption what it shows, one or two sentences
   * @param image the pixels
   */
  public record Figure(String file, String caption, BufferedImage image) {

    /**
     * @throws IllegalArgumentException when an argument is null, or the name is not lower-case
     *     letters, digits and dashes ending .png
     */
    public Figure {
      requireNonNull("file", file);
      requireNonNull("caption", caption);
      requireNonNull("image", image);
      if (!FIGURE_NAME.matcher(file).matches()) {
        throw new IllegalArgumentException("figure file '" + file + "', expected lower-case "
            + "letters, digits and dashes ending .png");
      }
    }
  }

  /**
   * One line of the table.
   *
   * @param section the group it is shown under (metrics, settings, versions)
   * @param name what the value is
   * @param value the value as shown
   */
  public record Row(String section, String name, String value) {

    /** @throws IllegalArgumentException when an argument is null */
    public Row {
      requireNonNull("section", section);
      requireNonNull("name", name);
      requireNonNull("value", value);
    }
  }

  private Report(Builder b) {
    this.title = b.title;
    this.figures = List.copyOf(b.figures);
    this.rows = List.copyOf(b.rows);
    this.series = new LinkedHashMap<>(b.series);
  }

  /** A report with this page title. */
  public static Builder builder(String title) {
    return new Builder(requireNonNull("title", title));
  }

  public String title() {
    return title;
  }

  public List<Figure> figures() {
    return figures;
  }

  public List<Row> rows() {
    return rows;
  }

  /** The value of the first row named {@code name}, or null. */
  public String value(String name) {
    for (Row r : rows) {
      if (r.name().equals(name)) {
        return r.value();
      }
    }
    return null;
  }

  /** The plotted series by name, in the order added; copies. */
  public Map<String, double[]> series() {
    Map<String, double[]> copy = new LinkedHashMap<>();
    series.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  /**
   * Writes the figures, {@value #SERIES_FILE} and {@value #INDEX_FILE} into {@code dir},
   * creating it when absent; files of the same names are replaced, others are left alone.
   *
   * @throws IOException when the folder cannot be created or a file cannot be written
   */
  public void write(Path dir) throws IOException {
    requireNonNull("dir", dir);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IOException("report folder " + dir + " is a file");
    }
    Files.createDirectories(dir);
    for (Figure f : figures) {
      AtomicFiles.write(dir.resolve(f.file()), out -> {
        if (!ImageIO.write(f.image(), "png", out)) {
          throw new IOException("no PNG writer for " + f.file());
        }
      });
    }
    AtomicFiles.write(dir.resolve(SERIES_FILE), out -> seriesMapper().writeValue(out,
        seriesJson()));
    AtomicFiles.write(dir.resolve(INDEX_FILE), out -> {
      Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
      w.write(html());
      w.flush();
    });
  }

  private static ObjectMapper seriesMapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  /** {@value #SERIES_FILE}'s content. */
  ObjectNode seriesJson() {
    ObjectNode o = seriesMapper().createObjectNode();
    series.forEach((name, values) -> {
      ArrayNode a = o.putArray(name);
      for (double v : values) {
        if (Double.isFinite(v)) {
          a.add(v);
        } else {
          a.addNull();
        }
      }
    });
    return o;
  }

  /** The page: the title, the table by section, then every figure with its caption. */
  String html() {
    StringBuilder h = new StringBuilder(4096);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>").append(Html.escape(title)).append("</title>\n")
        .append("<style>\n")
        .append("body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1400px}\n")
        .append("h1{font-size:1.4em}\n")
        .append(".tables{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start;")
        .append("margin-bottom:1.5em}\n")
        .append("table{border-collapse:collapse;font-size:0.85em}\n")
        .append("th,td{border:1px solid #ccc;padding:0.2em 0.6em;text-align:left;")
        .append("vertical-align:top}\n")
        .append("th{background:#eee}\n")
        .append("td.value{font-family:monospace;overflow-wrap:anywhere;max-width:28em}\n")
        .append(".figures{display:grid;grid-template-columns:repeat(auto-fill,")
        .append("minmax(520px,1fr));gap:1.5em}\n")
        .append("figure{margin:0}\n")
        .append("figure img{max-width:100%;height:auto;border:1px solid #ddd}\n")
        .append("figcaption{font-size:0.85em;color:#444;margin-top:0.3em}\n")
        .append("</style>\n</head>\n<body>\n");
    h.append("<h1>").append(Html.escape(title)).append("</h1>\n");

    // One table per section, side by side where the window is wide enough.
    h.append("<div class=\"tables\">\n");
    String section = null;
    for (Row r : rows) {
      if (!r.section().equals(section)) {
        if (section != null) {
          h.append("</table>\n");
        }
        section = r.section();
        h.append("<table>\n<tr><th colspan=\"2\">").append(Html.escape(section))
            .append("</th></tr>\n");
      }
      h.append("<tr><td>").append(Html.escape(r.name())).append("</td><td class=\"value\">")
          .append(Html.escape(r.value())).append("</td></tr>\n");
    }
    if (section != null) {
      h.append("</table>\n");
    }
    h.append("</div>\n<div class=\"figures\">\n");
    for (Figure f : figures) {
      h.append("<figure><img src=\"").append(Html.escape(f.file())).append("\" alt=\"")
          .append(Html.escape(f.caption())).append("\" width=\"").append(f.image().getWidth())
          .append("\" height=\"").append(f.image().getHeight()).append("\">")
          .append("<figcaption>").append(Html.escape(f.caption()))
          .append("</figcaption></figure>\n");
    }
    h.append("</div>\n</body>\n</html>\n");
    return h.toString();
  }

  /** Collects the parts of a report; each adder checks its arguments. */
  public static final class Builder {
    private final String title;
    private final List<Figure> figures = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, double[]> series = new LinkedHashMap<>();

    private Builder(String title) {
      this.title = title;
    }

    /**
     * Adds a figure.
     *
     * @throws IllegalArgumentException when the name is not lower-case letters, digits and
     *     dashes ending .png, or is taken
     */
    public Builder figure(String file, String caption, BufferedImage image) {
      Figure added = new Figure(file, caption, image);
      for (Figure f : figures) {
        if (f.file().equals(file)) {
          throw new IllegalArgumentException("figure file '" + file + "' is already taken");
        }
      }
      figures.add(added);
      return this;
    }

    /** Adds a line to the table under {@code section}; sections show in order of first use. */
    public Builder row(String section, String name, String value) {
      rows.add(new Row(section, name, value));
      return this;
    }

    /** Adds every entry of a map as a row under {@code section}. */
    public Builder rows(String section, Map<String, String> entries) {
      requireNonNull("entries", entries);
      entries.forEach((k, v) -> row(section, k, v));
      return this;
    }

    /**
     * Records a plotted series for {@value #SERIES_FILE}; a copy is kept.
     *
     * @throws IllegalArgumentException when the name is taken
     */
    public Builder series(String name, double[] values) {
      requireNonNull("name", name);
      requireNonNull("values", values);
      if (series.containsKey(name)) {
        throw new IllegalArgumentException("series '" + name + "' is already recorded");
      }
      series.put(name, values.clone());
      return this;
    }

    public Report build() {
      // The section order is the order of first use: rows of one section are kept together.
      Map<String, List<Row>> bySection = new LinkedHashMap<>();
      for (Row r : rows) {
        bySection.computeIfAbsent(r.section(), k -> new ArrayList<>()).add(r);
      }
      rows.clear();
      bySection.values().forEach(rows::addAll);
      return new Report(this);
    }
  }
}
