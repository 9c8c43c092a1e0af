package dev.tripletcuda.cli;

import dev.tripletcuda.train.BatchStats;
import dev.tripletcuda.train.EpochStats;
import dev.tripletcuda.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training to a person: a progress bar with the loss, the active fraction and the speed
 * when stderr is a terminal, and one line per epoch in any case (unless quiet).
 */
final class TrainProgress implements TrainingListener, AutoCloseable {

  private final PrintStream err;
  private final boolean bar;
  private final boolean quiet;
  private ProgressBar progress;
  private int epochs;
  private int batchSize;

  TrainProgress(PrintStream err, boolean interactive, boolean quiet) {
    this.err = err;
    this.bar = interactive && !quiet;
    this.quiet = quiet;
  }

  @Override
  public void onStart(int epochs, int batchesPerEpoch, int batchSize) {
    this.epochs = epochs;
    this.batchSize = batchSize;
    if (bar) {
      progress = new ProgressBarBuilder()
          .setTaskName("train")
          .setInitialMax((long) epochs * batchesPerEpoch)
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(250)
          .setConsumer(new ConsoleProgressBarConsumer(err))
          .hideEta()
          .build();
    }
  }

  @Override
  public void onBatch(BatchStats s) {
    if (progress != null) {
      progress.step();
      double rate = s.seconds() > 0 ? s.step() * batchSize / s.seconds() : 0;
      progress.setExtraMessage(String.format(Locale.ROOT, "epoch %d loss %.4f active %4.1f%% "
          + "%,.0f samples/s", s.epoch(), s.loss().loss(), 100 * s.loss().activeFraction(),
          rate));
    }
  }

  @Override
  public void onEpoch(EpochStats e) {
    if (quiet) {
      return;
    }
    String line = String.format(Locale.ROOT, "epoch %d/%d  loss %.4f  active %5.1f%%  "
        + "d(a,p) %.4f  d(a,n) %.4f  %,.0f samples/s", e.epoch(), epochs, e.loss(),
        100 * e.activeFraction(), e.meanPositive(), e.meanNegative(), e.samplesPerSecond());
    if (progress != null) {
      // Above the bar, which redraws itself on the next step.
      err.print("\r\033[K");
    }
    err.println(line);
  }

  @Override
  public void close() {
    if (progress != null) {
      progress.close();
      progress = null;
    }
  }
}
