package dev.tripletcuda.report;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.eval.EvalReport;
import dev.tripletcuda.eval.Evaluation;
import dev.tripletcuda.eval.Reliability;
import dev.tripletcuda.eval.Roc;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.knn.KnnIndex;
import dev.tripletcuda.knn.Neighbors;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report of an evaluation:
 *
 * <ul>
 *   <li>roc.png: the ROC of pair verification (true-accept against false-accept rate over the
 *       test-test pairs), the equal-error point marked where the FAR = FRR line meets it;
 *   <li>reliability.png: the calibrated pair probability's reliability diagram, mean
 *       probability against the fraction of same-class pairs in each of the 15 bins, with the
 *       diagonal of perfect calibration;
 *   <li>pca.png: the test embeddings projected on their two leading principal components,
 *       coloured by label, at most {@value #MAP_POINTS} rows taken at even steps;
 *   <li>neighbours.png, for image data: a few test images and their nearest training images.
 * </ul>
 *
 * <p>The curves are the {@link Roc} and {@link Reliability} objects of the {@link EvalReport},
 * the same ones its JSON figures come from. They are kept in {@link Report#SERIES_FILE} as
 * roc_far, roc_tar, eer, reliability_count, reliability_mean_probability,
 * reliability_positive_fraction, and the map as pca_row, pca_x, pca_y, pca_label.
 */
public final class EvaluationPlots {

  /** Most rows drawn on the embedding map. */
  public static final int MAP_POINTS = 2000;

  /** Queries and neighbours per query on the image grid. */
  static final int GRID_QUERIES = 8;
  static final int GRID_NEIGHBOURS = 6;

  /** Classes named in the map's legend; more than this many are drawn without one. */
  static final int LEGEND_CLASSES = 20;

  private EvaluationPlots() {}

  /**
   * The figures and the metrics and settings rows of an evaluation; the caller adds its own
   * rows (model, versions, date) and builds.
   *
   * @param backend searches the neighbours of the image grid
   * @param report the evaluation of {@code embedded}
   * @param embedded the splits and their embeddings
   */
  public static Report.Builder report(Backend backend, EvalReport report,
      Evaluation.Embedded embedded) {
    requireNonNull("backend", backend);
    requireNonNull("report", report);
    requireNonNull("embedded", embedded);
    Report.Builder r = Report.builder("Evaluation report");

    Roc roc = report.pairRoc();
    if (roc != null) {
      double[] far = roc.falseAcceptRates();
      double[] tar = roc.trueAcceptRates();
      r.series("roc_far", far).series("roc_tar", tar)
          .series("eer", new double[] {roc.equalErrorRate()});
      r.figure("roc.png", String.format(Locale.ROOT, "ROC of pair verification over %,d "
          + "test-test pairs (%,d same-class), accepting a pair when its squared distance is "
          + "at most a threshold. AUC %.4f; the equal error rate %.4f is where the curve "
          + "meets the FAR = FRR line.", report.pairs(), roc.positives(), roc.auc(),
          roc.equalErrorRate()), rocChart(far, tar, roc.equalErrorRate()));
    }

    Reliability rel = report.pairReliability();
    long[] counts = rel.counts();
    double[] countsD = new double[counts.length];
    for (int b = 0; b < counts.length; b++) {
      countsD[b] = counts[b];
    }
    r.series("reliability_count", countsD)
        .series("reliability_mean_probability", rel.meanProbabilities())
        .series("reliability_positive_fraction", rel.positiveFractions());
    r.figure("reliability.png", String.format(Locale.ROOT, "Reliability of the calibrated "
        + "pair probability (%s): in each of %d equal-width bins, the mean probability against "
        + "the fraction of same-class pairs; on the diagonal when calibrated. ECE %.4f, Brier "
        + "%.4f.", report.verifier().pairCalibration().method().id(), counts.length,
        rel.expectedCalibrationError(), rel.brierScore()), reliabilityChart(rel));

    if (embedded.dim() >= 2) {
      embeddingMap(r, embedded);
    }

    int[] shape = NeighbourGrid.imageShape(embedded.test());
    if (shape != null && NeighbourGrid.imageShape(embedded.train()) != null) {
      int[] queries = gridQueries(embedded.test().labels(), GRID_QUERIES);
      int k = Math.min(GRID_NEIGHBOURS, embedded.train().rows());
      if (queries.length > 0 && k > 0) {
        r.figure("neighbours.png", "Test images (left) and their " + k + " nearest training "
            + "images by embedding distance, nearest first: a green frame marks the query's "
            + "class, a red one another class.", neighbours(backend, embedded, queries, k,
                shape));
      }
    }

    tableRows(r, report);
    return r;
  }

  private static BufferedImage rocChart(double[] far, double[] tar, double eer) {
    XYChart c = Charts.lines("ROC of pair verification", "false-accept rate",
        "true-accept rate");
    Charts.unitSquare(c);
    Charts.reference(c, "chance", new double[] {0, 1}, new double[] {0, 1});
    Charts.reference(c, "FAR = FRR", new double[] {0, 1}, new double[] {1, 0})
        .setLineColor(new Color(0xbbbbbb));
    Charts.line(c, "ROC", far, tar, Charts.BLUE).setLineWidth(2f);
    Charts.points(c, String.format(Locale.ROOT, "EER %.4f", eer), new double[] {eer},
        new double[] {1 - eer}, Charts.RED);
    c.getStyler().setMarkerSize(9);
    return Charts.image(c);
  }

  private static BufferedImage reliabilityChart(Reliability rel) {
    double[] meanP = rel.meanProbabilities();
    double[] frac = rel.positiveFractions();
    List<double[]> kept = new ArrayList<>();
    for (int b = 0; b < meanP.length; b++) {
      if (!Double.isNaN(meanP[b])) {
        kept.add(new double[] {meanP[b], frac[b]});
      }
    }
    double[] x = new double[kept.size()];
    double[] y = new double[kept.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = kept.get(i)[0];
      y[i] = kept.get(i)[1];
    }
    XYChart c = Charts.lines("Reliability of the pair probability", "mean predicted "
        + "probability (per bin)", "fraction of same-class pairs");
    Charts.unitSquare(c);
    Charts.reference(c, "perfect calibration", new double[] {0, 1}, new double[] {0, 1});
    Charts.line(c, "pair probability", x, y, Charts.BLUE).setMarker(SeriesMarkers.CIRCLE)
        .setMarkerColor(Charts.BLUE);
    c.getStyler().setMarkerSize(7);
    return Charts.image(c);
  }

  /** The PCA map of the test embeddings, one series per class present. */
  private static void embeddingMap(Report.Builder r, Evaluation.Embedded e) {
    Dataset test = e.test();
    int rows = test.rows();
    int dim = e.dim();
    float[] emb = e.testEmbeddings();
    Pca pca = Pca.of(emb, rows, dim);

    // At most MAP_POINTS rows, at even steps through the split.
    int shown = Math.min(rows, MAP_POINTS);
    double[] rowIds = new double[shown];
    double[] px = new double[shown];
    double[] py = new double[shown];
    double[] pl = new double[shown];
    int[] labels = test.labels();
    for (int i = 0; i < shown; i++) {
      int row = (int) ((long) i * rows / shown);
      double[] p = pca.project(emb, row);
      rowIds[i] = row;
      px[i] = p[0];
      py[i] = p[1];
      pl[i] = labels[row];
    }
    r.series("pca_row", rowIds).series("pca_x", px).series("pca_y", py).series("pca_label", pl);

    XYChart c = Charts.lines("Test embeddings, first two principal components",
        String.format(Locale.ROOT, "PC1 (%.0f%% of variance)", 100 * pca.explained(0)),
        String.format(Locale.ROOT, "PC2 (%.0f%% of variance)", 100 * pca.explained(1)));
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
    c.getStyler().setMarkerSize(4);
    int classes = test.classCount();
    int present = 0;
    for (int label = 0; label < classes; label++) {
      int n = 0;
      for (double l : pl) {
        if (l == label) {
          n++;
        }
      }
      if (n == 0) {
        continue;
      }
      double[] x = new double[n];
      double[] y = new double[n];
      for (int i = 0, j = 0; i < shown; i++) {
        if (pl[i] == label) {
          x[j] = px[i];
          y[j++] = py[i];
        }
      }
      Color colour = Charts.labelColour(label);
      Charts.points(c, seriesName(test.classNames().get(label), label), x, y,
          new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 170));
      present++;
    }
    c.getStyler().setLegendVisible(present <= LEGEND_CLASSES);
    r.figure("pca.png", String.format(Locale.ROOT, "%,d of the %,d test embeddings projected "
        + "on the two directions of largest variance (%.0f%% of it together), coloured by "
        + "label; well separated clusters mean a good embedding.", shown, rows,
        100 * (pca.explained(0) + pca.explained(1))), Charts.image(c));
  }

  /** A legend entry: the class name, cut short, made unique by its id where cut. */
  private static String seriesName(String name, int label) {
    String n = name.isBlank() ? "class " + label : name;
    return n.length() <= 16 ? n : n.substring(0, 13) + "... #" + label;
  }

  /** The first row of each class in order of appearance, up to {@code max} rows. */
  static int[] gridQueries(int[] labels, int max) {
    List<Integer> picked = new ArrayList<>();
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int i = 0; i < labels.length && picked.size() < max; i++) {
      if (seen.add(labels[i])) {
        picked.add(i);
      }
    }
    return picked.stream().mapToInt(Integer::intValue).toArray();
  }

  private static BufferedImage neighbours(Backend backend, Evaluation.Embedded e,
      int[] queries, int k, int[] shape) {
    int dim = e.dim();
    float[] q = new float[queries.length * dim];
    for (int i = 0; i < queries.length; i++) {
      System.arraycopy(e.testEmbeddings(), queries[i] * dim, q, i * dim, dim);
    }
    Neighbors found;
    try (KnnIndex index = KnnIndex.builder(e.trainEmbeddings(), dim).build(backend)) {
      found = index.search(q, k);
    }
    return NeighbourGrid.draw(e.test(), queries, e.train(), found, shape);
  }

  /**
   * The figures of {@link EvalReport#toJson()} under Metrics (a figure the data could not give
   * shows its reason), its counts and protocol under Settings.
   */
  private static void tableRows(Report.Builder r, EvalReport report) {
    ObjectNode json = report.toJson();
    JsonNode unavailable = json.path("unavailable");
    boolean figures = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String key = f.getKey();
      JsonNode v = f.getValue();
      if (key.equals("unavailable")) {
        continue;
      }
      if (key.equals("train_rows")) {
        figures = false;
      }
      String shown;
      if (v.isNull()) {
        shown = "n/a" + (unavailable.has(key) ? " (" + unavailable.get(key).asText() + ")" : "");
      } else if (v.isFloatingPointNumber()) {
        shown = TrainingPlots.format(v.asDouble());
      } else {
        shown = v.asText();
      }
      r.row(figures ? "Metrics" : "Settings", key, shown);
    }
  }
}
