package org.batchq.cli;

import java.util.List;
import org.batchq.fqi.IterationStats;
import org.batchq.io.Table;

/** What {@code fit} prints when it is done, whichever engine fitted: the diagnostics table and a summary line. */
public final class FitReport {
  private FitReport() {}

  public static void print(List<IterationStats> iterations, Table.Format format, long trainRows, long episodes,
      long validEpisodes, double seconds, double learnerSeconds, String bundle) {
    System.out.print(diagnostics(iterations).render(format));
    if (format == Table.Format.TABLE) {
      System.out.printf("fitted %d transitions (%d episodes, %d held out) in %.2f s: %.0f%% inside the learner; saved %s%n",
          trainRows, episodes, validEpisodes, seconds, 100 * learnerSeconds / seconds, bundle);
    }
  }

  static Table diagnostics(List<IterationStats> iterations) {
    Table t = new Table("iteration", "train_loss", "valid_residual", "initial_max_q", "mean_abs_change", "seconds",
        "learner_seconds");
    for (IterationStats it : iterations) {
      t.row(it.iteration(), it.trainLoss(), it.validResidual(), it.initialMaxQ(), it.meanAbsChange(), it.seconds(),
          it.learnerSeconds());
    }
    return t;
  }
}
