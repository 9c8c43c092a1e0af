package dev.tripletcuda.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The look shared by every chart of a report (XChart, drawn off screen) and the colours of
 * class labels.
 */
final class Charts {

  /** Width and height of a chart image in pixels. */
  static final int WIDTH = 640;
  static final int HEIGHT = 420;

  /**
   * Twenty colours that stay apart on white, for class labels: ten strong ones, then ten
   * lighter ones for the classes after the tenth.
   */
  private static final Color[] LABEL_COLOURS = {
      new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
      new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
      new Color(0xbcbd22), new Color(0x17becf), new Color(0xaec7e8), new Color(0xffbb78),
      new Color(0x98df8a), new Color(0xff9896), new Color(0xc5b0d5), new Color(0xc49c94),
      new Color(0xf7b6d2), new Color(0xc7c7c7), new Color(0xdbdb8d), new Color(0x9edae5)};

  static final Color BLUE = LABEL_COLOURS[0];
  static final Color ORANGE = LABEL_COLOURS[1];
  static final Color GREEN = LABEL_COLOURS[2];
  static final Color RED = LABEL_COLOURS[3];
  static final Color GREY = new Color(0x888888);

  private Charts() {}

  /**
   * Sets java.awt.headless before the first drawing: reports are drawn off screen, and a
   * command line without a display must not need one. A program that chose otherwise keeps
   * its choice.
   */
  static void offScreen() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** An empty line chart with the report's look. */
  static XYChart lines(String title, String xTitle, String yTitle) {
    offScreen();
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    XYStyler s = chart.getStyler();
    s.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderColor(new Color(0xbbbbbb));
    s.setPlotGridLinesColor(new Color(0xe4e4e4));
    s.setChartTitleBoxVisible(false);
    s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    s.setLegendBorderColor(new Color(0xcccccc));
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
    s.setLegendLayout(Styler.LegendLayout.Horizontal);
    s.setMarkerSize(5);
    s.setAntiAlias(true);
    return chart;
  }

  /** A plain line without markers. */
  static XYSeries line(XYChart chart, String name, double[] x, double[] y, Color colour) {
    XYSeries s = chart.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(colour);
    s.setLineWidth(1.6f);
    return s;
  }

  /** A dashed grey reference line (chance, perfect calibration). */
  static XYSeries reference(XYChart chart, String name, double[] x, double[] y) {
    XYSeries s = line(chart, name, x, y, GREY);
    s.setLineStyle(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {6f, 4f}, 0f));
    return s;
  }

  /** Points without a line. */
  static XYSeries points(XYChart chart, String name, double[] x, double[] y, Color colour) {
    XYSeries s = chart.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    s.setMarker(SeriesMarkers.CIRCLE);
    s.setMarkerColor(colour);
    return s;
  }

  /** Both axes fixed to [0, 1]. */
  static void unitSquare(XYChart chart) {
    XYStyler s = chart.getStyler();
    s.setXAxisMin(0.0);
    s.setXAxisMax(1.0);
    s.setYAxisMin(0.0);
    s.setYAxisMax(1.0);
  }

  /** The chart drawn into an image of {@link #WIDTH} x {@link #HEIGHT}. */
  static BufferedImage image(XYChart chart) {
    return BitmapEncoder.getBufferedImage(chart);
  }

  /** The colour of class {@code label}; classes beyond twenty reuse the colours. */
  static Color labelColour(int label) {
    return LABEL_COLOURS[Math.floorMod(label, LABEL_COLOURS.length)];
  }
}
