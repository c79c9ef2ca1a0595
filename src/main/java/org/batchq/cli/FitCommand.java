package org.batchq.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.batchq.data.Dataset;
import org.batchq.fqi.IterationStats;
import org.batchq.model.Training;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Fit a Q-function with Fitted Q Iteration over stored transitions and save a model bundle.")
final class FitCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Mixin FitOptions trees;

  @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true, description = "Model bundle directory, e.g. models/m1.")
  Path out;

  @Option(names = "--force", description = "Replace an existing bundle.")
  boolean force;

  @Option(names = "--format", defaultValue = "table", description = "Diagnostics as table (default), csv or json.")
  Table.Format format;

  @Override
  public Integer call() {
    Training.Config config = trees.config(seed);
    long start = System.nanoTime();
    Dataset dataset = data.open();
    Training.Outcome outcome;
    try (Progress progress = Progress.start("fit", config.iterations(), "iterations")) {
      outcome = Training.fit(dataset, config, out, force, it -> progress.step(1, String.format("loss %.4g", it.trainLoss())));
    }
    System.out.print(diagnostics(outcome.iterations()).render(format));
    if (format == Table.Format.TABLE) {
      double total = (System.nanoTime() - start) / 1e9;
      System.out.printf("fitted %d transitions (%d episodes, %d held out) in %.2f s: %.0f%% inside the learner; saved %s%n",
          outcome.trainRows(), outcome.episodes(), outcome.validEpisodes(), total,
          100 * outcome.learnerSeconds() / total, outcome.bundle());
    }
    return Main.OK;
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
