package dev.tripletcuda.report;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.train.BatchStats;
import dev.tripletcuda.train.TrainConfig;
import dev.tripletcuda.train.TrainResult;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;

/**
 * The report of a training run: per batch, the loss, the fraction of active triplets and the
 * mean anchor-positive and anchor-negative distances; per epoch, precision@1 where it was
 * measured. The series plotted are the batch statistics of the {@link TrainResult} as they are,
 * and are kept under the names below in {@link Report#SERIES_FILE}:
 *
 * <ul>
 *   <li>step, loss, active_fraction, mean_positive, mean_negative: one entry per batch;
 *   <li>epoch, precision_at_1: one entry per epoch, null where not measured.
 * </ul>
 */
public final class TrainingPlots {

  private TrainingPlots() {}

  /**
   * The figures and the metrics and settings rows of a run; the caller adds its own rows
   * (data, versions, date) and builds.
   *
   * @param result the run
   * @param config its settings
   * @param precisionAt1 (epochs run) precision@1 on the test split after each epoch, NaN where
   *     it was not measured
   * @throws IllegalArgumentException when precisionAt1 does not have one entry per epoch run
   */
  public static Report.Builder report(TrainResult result, TrainConfig config,
      double[] precisionAt1) {
    requireNonNull("result", result);
    requireNonNull("config", config);
    requireNonNull("precisionAt1", precisionAt1);
    int epochs = result.epochs().size();
    if (precisionAt1.length != epochs) {
      throw new IllegalArgumentException("precisionAt1 has " + precisionAt1.length
          + " entries, expected one per epoch run (" + epochs + ")");
    }

    List<BatchStats> batches = result.batches();
    int n = batches.size();
    double[] step = new double[n];
    double[] loss = new double[n];
    double[] active = new double[n];
    double[] pos = new double[n];
    double[] neg = new double[n];
    for (int i = 0; i < n; i++) {
      BatchStats b = batches.get(i);
      step[i] = b.step();
      loss[i] = b.loss().loss();
      active[i] = b.loss().activeFraction();
      pos[i] = b.loss().meanPositive();
      neg[i] = b.loss().meanNegative();
    }
    double[] epoch = new double[epochs];
    for (int e = 0; e < epochs; e++) {
      epoch[e] = result.epochs().get(e).epoch();
    }

    Report.Builder r = Report.builder("Training report");
    r.series("step", step).series("loss", loss).series("active_fraction", active)
        .series("mean_positive", pos).series("mean_negative", neg)
        .series("epoch", epoch).series("precision_at_1", precisionAt1);

    if (n > 0) {
      r.figure("loss.png", "Triplet loss of each batch (" + config.loss().reduction().id()
          + " over the " + config.loss().mining().id() + " triplets, margin "
          + config.loss().margin() + ").", perBatch("Loss per batch", "loss", step, loss));
      XYChart a = perBatchChart("Active triplets per batch", "fraction active");
      Charts.line(a, "active fraction", step, active, Charts.BLUE);
      a.getStyler().setYAxisMin(0.0);
      a.getStyler().setYAxisMax(1.0);
      r.figure("active.png", "Fraction of the mined triplets with a loss above zero; it "
          + "falls as the margin is met.", Charts.image(a));
      XYChart d = perBatchChart("Mean distances per batch", "squared L2 distance");
      Charts.line(d, "anchor-positive", step, pos, Charts.BLUE);
      Charts.line(d, "anchor-negative", step, neg, Charts.ORANGE);
      d.getStyler().setYAxisMin(0.0);
      d.getStyler().setLegendVisible(true);
      r.figure("distances.png", "Mean d(a, p) and d(a, n) over the triplets considered; the "
          + "gap should open to the margin and beyond. Curves that meet mean the embedding "
          + "is collapsing.", Charts.image(d));
    }
    if (epochs > 0) {
      r.figure("precision.png", "Precision@1 of the test split against the training split "
          + "(nearest training embedding), for the epochs where it was measured.",
          precisionChart(epoch, precisionAt1));
    }

    String s = "Metrics";
    r.row(s, "final loss", format(result.finalLoss()));
    double last = epochs == 0 ? Double.NaN : precisionAt1[epochs - 1];
    r.row(s, "precision@1", Double.isNaN(last) ? "not measured" : format(last));
    r.row(s, "epochs run", Integer.toString(epochs));
    r.row(s, "batches", Integer.toString(n));
    r.row(s, "training time", String.format(Locale.ROOT, "%.1f s", result.trainSeconds()));
    r.row(s, "samples per second", String.format(Locale.ROOT, "%,.0f",
        result.samplesPerSecond()));
    r.row(s, "warnings", result.warnings().isEmpty() ? "none"
        : String.join(" | ", result.warnings()));
    r.rows("Settings", config.toMetadata());
    return r;
  }

  private static BufferedImage perBatch(String title, String yTitle,
      double[] x, double[] y) {
    XYChart c = perBatchChart(title, yTitle);
    Charts.line(c, yTitle, x, y, Charts.BLUE);
    return Charts.image(c);
  }

  private static XYChart perBatchChart(String title, String yTitle) {
    XYChart c = Charts.lines(title, "batch (step)", yTitle);
    c.getStyler().setLegendVisible(false);
    c.getStyler().setXAxisDecimalPattern("#,##0");
    c.getStyler().setXAxisTickMarkSpacingHint(90);
    return c;
  }

  /** Points at the measured epochs, the axis spanning every epoch run. */
  private static BufferedImage precisionChart(double[] epoch, double[] p1) {
    int measured = 0;
    for (double v : p1) {
      if (!Double.isNaN(v)) {
        measured++;
      }
    }
    double[] x = new double[measured];
    double[] y = new double[measured];
    for (int e = 0, j = 0; e < epoch.length; e++) {
      if (!Double.isNaN(p1[e])) {
        x[j] = epoch[e];
        y[j++] = p1[e];
      }
    }
    XYChart c = Charts.lines("Precision@1 per epoch", "epoch", "precision@1");
    c.getStyler().setLegendVisible(false);
    c.getStyler().setXAxisMin(epoch[0] - 0.5);
    c.getStyler().setXAxisMax(epoch[epoch.length - 1] + 0.5);
    // Ticks a whole epoch apart or more: the spacing hint asks for about one tick per epoch
    // across the plot, at least 60 pixels apart.
    c.getStyler().setXAxisDecimalPattern("0");
    c.getStyler().setXAxisTickMarkSpacingHint(Math.max(60, (Charts.WIDTH - 100) / epoch.length));
    c.getStyler().setMarkerSize(9);
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setYAxisMax(1.0);
    if (measured == 0) {
      // An empty series would leave XChart nothing to scale; a chart saying so is clearer.
      c.setTitle("Precision@1 per epoch: not measured");
      Charts.points(c, "precision@1", new double[] {epoch[0]}, new double[] {Double.NaN},
          Charts.BLUE);
    } else {
      Charts.points(c, "precision@1", x, y, Charts.BLUE).setMarkerColor(Charts.BLUE);
      if (measured > 1) {
        Charts.line(c, "precision@1 line", x, y, Charts.BLUE);
      }
      // The last measurement's value, written beside its point.
      c.addAnnotation(new AnnotationText(format(y[measured - 1]), x[measured - 1],
          Math.max(y[measured - 1] - 0.07, 0.03), false));
    }
    return Charts.image(c);
  }

  static String format(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
  }
}
