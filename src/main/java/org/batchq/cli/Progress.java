package org.batchq.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress for long work: a bar on a terminal, a plain log line every few seconds otherwise (CI, pipes), so logs
 * stay readable.
 */
public final class Progress implements AutoCloseable {
  private static final long LOG_EVERY_NANOS = 5_000_000_000L;

  private final String task;
  private final long total;
  private final String unit;
  private final ProgressBar bar;
  private final PrintStream log;
  private final long start = System.nanoTime();
  private long lastLog = start;
  private long done;

  private Progress(String task, long total, String unit, boolean terminal, PrintStream log) {
    this.task = task;
    this.total = total;
    this.unit = unit;
    this.log = log;
    this.bar = terminal
        ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
            .setStyle(ProgressBarStyle.ASCII).showSpeed().setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build()
        : null;
  }

  /** A bar when batchq runs on a terminal, unless -Dbatchq.progress=lines asks for log lines (a filtering launcher). */
  public static Progress start(String task, long total, String unit) {
    boolean bar = System.console() != null && !"lines".equals(System.getProperty("batchq.progress"));
    return new Progress(task, total, unit, bar, System.err);
  }

  /** Advances by {@code n} units, with an extra message (e.g. the latest loss) shown beside the bar. */
  public void step(long n, String extra) {
    done += n;
    if (bar != null) {
      bar.stepBy(n);
      if (extra != null) {
        bar.setExtraMessage(extra);
      }
      return;
    }
    long now = System.nanoTime();
    if (now - lastLog >= LOG_EVERY_NANOS || done == total) {
      lastLog = now;
      double seconds = (now - start) / 1e9;
      log.printf("%s: %d/%d %s (%.0f %s/s)%s%n", task, done, total, unit, done / Math.max(seconds, 1e-9), unit,
          extra == null ? "" : " " + extra);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
