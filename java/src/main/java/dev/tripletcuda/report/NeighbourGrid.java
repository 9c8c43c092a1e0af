package dev.tripletcuda.report;

import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.knn.Neighbors;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * A picture of image queries and their nearest training images: one row per query, the query
 * first, then its neighbours nearest first. A neighbour of the query's class has a green frame,
 * one of another class a red frame; the class name is written under each image.
 */
final class NeighbourGrid {

  /** Screen pixels per image pixel. */
  private static final int SCALE = 2;
  private static final int GAP = 10;
  private static final int FRAME = 3;
  private static final int TEXT = 16;
  private static final Color SAME = new Color(0x2ca02c);
  private static final Color OTHER = new Color(0xd62728);

  private NeighbourGrid() {}

  /**
   * {height, width} of the rows of {@code data} as images, or null when they are not images:
   * the shape the data carries, else a square side for byte data of a square size.
   */
  static int[] imageShape(Dataset data) {
    int[] shape = data.imageShape();
    if (shape != null && shape.length == 2 && (long) shape[0] * shape[1] == data.dim()) {
      return shape;
    }
    int side = (int) Math.round(Math.sqrt(data.dim()));
    if (data.kind() == Dataset.Kind.BYTES && side * side == data.dim() && side >= 4) {
      return new int[] {side, side};
    }
    return null;
  }

  /**
   * The grid.
   *
   * @param test the query rows' dataset
   * @param queries (q) the query rows in test
   * @param train the neighbours' dataset
   * @param found (q, k) the neighbours of each query, rows of train
   * @param shape {height, width} of an image
   */
  static BufferedImage draw(Dataset test, int[] queries, Dataset train, Neighbors found,
      int[] shape) {
    Charts.offScreen();
    int h = shape[0] * SCALE;
    int w = shape[1] * SCALE;
    int cellW = Math.max(w + 2 * FRAME, 64) + GAP;
    int cellH = h + 2 * FRAME + TEXT + GAP;
    int k = found.k();
    int head = 24;
    int width = GAP + (k + 1) * cellW + GAP;
    int height = head + queries.length * cellH + GAP;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
      g.setColor(Color.DARK_GRAY);
      g.drawString("query", GAP, 16);
      g.drawString("nearest training images, nearest first", GAP + cellW, 16);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));

      for (int q = 0; q < queries.length; q++) {
        int y = head + q * cellH;
        int label = test.labels()[queries[q]];
        cell(g, test, queries[q], shape, GAP, y, Color.BLACK);
        caption(g, test.classNames().get(label), GAP, y + h + 2 * FRAME, cellW - GAP);
        for (int r = 0; r < k; r++) {
          int row = found.row(q, r);
          if (row < 0) {
            continue;
          }
          int x = GAP + (r + 1) * cellW;
          int other = train.labels()[row];
          cell(g, train, row, shape, x, y, other == label ? SAME : OTHER);
          caption(g, train.classNames().get(other), x, y + h + 2 * FRAME, cellW - GAP);
        }
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  /** One framed image at (x, y), its values scaled to its own range, darkest black. */
  private static void cell(Graphics2D g, Dataset data, int row, int[] shape, int x, int y,
      Color frame) {
    int h = shape[0];
    int w = shape[1];
    float[] f = data.features();
    int off = row * data.dim();
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < h * w; i++) {
      lo = Math.min(lo, f[off + i]);
      hi = Math.max(hi, f[off + i]);
    }
    float range = hi > lo ? hi - lo : 1;
    g.setColor(frame);
    g.setStroke(new BasicStroke(FRAME));
    g.drawRect(x + FRAME / 2, y + FRAME / 2, w * SCALE + FRAME, h * SCALE + FRAME);
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        int v = Math.round(255 * (f[off + r * w + c] - lo) / range);
        g.setColor(new Color(v, v, v));
        g.fillRect(x + FRAME + c * SCALE, y + FRAME + r * SCALE, SCALE, SCALE);
      }
    }
  }

  /** The text at (x, y) below a cell, cut to the cell's width. */
  private static void caption(Graphics2D g, String text, int x, int y, int width) {
    FontMetrics m = g.getFontMetrics();
    String t = text;
    while (t.length() > 1 && m.stringWidth(t) > width) {
      t = t.substring(0, t.length() - 1);
    }
    g.setColor(Color.DARK_GRAY);
    g.drawString(t, x, y + m.getAscent() + 1);
  }
}
