package dev.tripletcuda.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.eval.EvalOptions;
import dev.tripletcuda.eval.EvalReport;
import dev.tripletcuda.eval.Evaluation;
import dev.tripletcuda.eval.Reliability;
import dev.tripletcuda.eval.Roc;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.testing.ReportFiles;
import dev.tripletcuda.testing.Synthetic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationPlotsTest {

  @TempDir
  Path dir;

  /** The features themselves as embeddings: no model needed for the plots. */
  private static Evaluation.Embedded asEmbedded(Dataset train, Dataset test) {
    return new Evaluation.Embedded(train, test, train.features().clone(),
        test.features().clone(), train.dim(), null);
  }

  @Test
  void reportPlotsTheCurvesOfTheEvaluation() throws IOException {
    Dataset train = Synthetic.clusters(1, 6, 30, 8, 0.6);
    Dataset test = Synthetic.clusters(1, 6, 30, 8, 0.6).subset(rows(0, 180, 3), "test");
    Evaluation.Embedded e = asEmbedded(train, test);
    try (CpuBackend backend = new CpuBackend(1)) {
      EvalReport figures = Evaluation.run(backend, e, EvalOptions.defaults(7));
      Report r = EvaluationPlots.report(backend, figures, e).build();

      Roc roc = figures.pairRoc();
      assertArrayEquals(roc.falseAcceptRates(), r.series().get("roc_far"));
      assertArrayEquals(roc.trueAcceptRates(), r.series().get("roc_tar"));
      assertArrayEquals(new double[] {figures.pairEer()}, r.series().get("eer"));
      Reliability rel = figures.pairReliability();
      assertArrayEquals(rel.meanProbabilities(), r.series().get("reliability_mean_probability"));
      assertArrayEquals(rel.positiveFractions(),
          r.series().get("reliability_positive_fraction"));
      assertEquals(Reliability.DEFAULT_BINS, r.series().get("reliability_count").length);
      assertEquals(test.rows(), r.series().get("pca_x").length);
      for (int i = 0; i < test.rows(); i++) {
        assertEquals(test.labels()[(int) r.series().get("pca_row")[i]],
            r.series().get("pca_label")[i]);
      }
      assertEquals(TrainingPlots.format(figures.pairAuc()), r.value("pair_auc"));
      assertEquals(TrainingPlots.format(figures.pairEce()), r.value("pair_ece"));

      r.write(dir);
      String html = ReportFiles.check(dir, "roc.png", "reliability.png", "pca.png");
      assertFalse(Files.exists(dir.resolve("neighbours.png")), "no image grid for numbers");
      assertTrue(html.contains("pair_auc"), html);
    }
  }

  @Test
  void reportDrawsNeighboursOfImageData() throws IOException {
    Dataset train = images(11, 40);
    Dataset test = images(12, 20);
    Evaluation.Embedded e = asEmbedded(train, test);
    try (CpuBackend backend = new CpuBackend(1)) {
      EvalReport figures = Evaluation.run(backend, e, EvalOptions.defaults(7));
      EvaluationPlots.report(backend, figures, e).build().write(dir);
    }
    ReportFiles.check(dir, "roc.png", "reliability.png", "pca.png", "neighbours.png");
  }

  @Test
  void mapSamplesAtEvenStepsWhenTheSplitIsLarge() {
    Dataset big = Synthetic.clusters(2, 4, 1000, 3, 0.5);
    Evaluation.Embedded e = asEmbedded(big, big);
    try (CpuBackend backend = new CpuBackend(1)) {
      EvalReport figures = Evaluation.run(backend, e, EvalOptions.defaults(7));
      Report r = EvaluationPlots.report(backend, figures, e).build();
      double[] rows = r.series().get("pca_row");
      assertEquals(EvaluationPlots.MAP_POINTS, rows.length);
      assertEquals(0, rows[0]);
      assertEquals(2, rows[1]);
      assertEquals(3998, rows[rows.length - 1]);
    }
  }

  @Test
  void gridQueriesTakeTheFirstRowOfEachClass() {
    assertArrayEquals(new int[] {0, 1, 3}, EvaluationPlots.gridQueries(
        new int[] {2, 2 + 3, 2, 0, 5, 0}, 3));
    assertArrayEquals(new int[0], EvaluationPlots.gridQueries(new int[0], 3));
  }

  private static int[] rows(int from, int to, int step) {
    List<Integer> r = new ArrayList<>();
    for (int i = from; i < to; i += step) {
      r.add(i);
    }
    return r.stream().mapToInt(Integer::intValue).toArray();
  }

  /** 8x8 byte images of 4 classes: class c is a bright square in corner c, plus noise. */
  private static Dataset images(long seed, int perClass) {
    SplittableRandom r = new SplittableRandom(seed);
    int rows = 4 * perClass;
    float[] x = new float[rows * 64];
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      int c = i % 4;
      labels[i] = c;
      for (int p = 0; p < 64; p++) {
        int y = p / 8;
        int col = p % 8;
        boolean lit = (y < 4) == (c < 2) && (col < 4) == (c % 2 == 0);
        x[i * 64 + p] = (lit ? 200 : 0) + r.nextInt(50);
      }
    }
    return new Dataset("images", Dataset.Kind.BYTES, x, rows, 64, labels,
        List.of("tl", "tr", "bl", "br"), new int[] {8, 8});
  }
}
