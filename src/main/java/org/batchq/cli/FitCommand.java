package org.batchq.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.batchq.data.Dataset;
import org.batchq.io.AtomicOutput;
import org.batchq.io.Table;
import org.batchq.learner.xgboost.ClassifierSettings;
import org.batchq.model.BehaviorCloning;
import org.batchq.model.ModelBundle;
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

  @Option(names = "--start-model", paramLabel = "DIR",
      description = "Continue FQI from this model's Q-function as Q_0 instead of zero (same environment and --reward).")
  Path startModel;

  @Option(names = "--format", defaultValue = "table", description = "Diagnostics as table (default), csv or json.")
  Table.Format format;

  @Option(names = "--engine", defaultValue = "local",
      description = "local (default) or spark: the launcher hands --engine spark to batchq-spark (docs/spark.md).")
  String engine;

  @Override
  public Integer call() {
    if (!"local".equals(engine)) {
      throw new IllegalArgumentException("spark".equals(engine)
          ? "--engine spark runs in its own JVM with Spark on the classpath: start it through bin/batchq (or"
              + " bin/batchq-spark) after 'make spark' (docs/spark.md)"
          : "unknown --engine '" + engine + "' (known: local, spark)");
    }
    if (trees.behaviorCloning()) {
      return cloneBehavior();
    }
    Training.Config config = trees.config(seed);
    AtomicOutput.refuseExisting(out, force);
    long startTime = System.nanoTime();
    Dataset dataset = data.open();
    Training.Outcome outcome;
    try (ModelBundle.Loaded start = startModel == null ? null : ModelBundle.load(startModel);
        Progress progress = Progress.start("fit", (long) config.iterations() * config.ensemble(), "iterations")) {
      outcome = Training.fit(dataset, config, start, out, force,
          it -> progress.step(1, String.format("loss %.4g", it.trainLoss())));
    }
    FitReport.print(outcome.iterations(), format, outcome.trainRows(), outcome.episodes(), outcome.validEpisodes(),
        (System.nanoTime() - startTime) / 1e9, outcome.learnerSeconds(), outcome.bundle().toString());
    return Main.OK;
  }

  private int cloneBehavior() {
    ClassifierSettings settings = trees.classifier(seed);
    if (startModel != null) {
      throw new IllegalArgumentException("--start-model continues FQI; --algorithm bc fits a classifier from scratch");
    }
    AtomicOutput.refuseExisting(out, force);
    BehaviorCloning.Outcome o = BehaviorCloning.fit(data.open(), settings, out, force);
    Table table = new Table("rows", "episodes", "train_accuracy", "train_log_loss", "seconds");
    table.row(o.rows(), o.episodes(), o.accuracy(), o.logLoss(), o.seconds());
    System.out.print(table.render(format));
    if (format == Table.Format.TABLE) {
      System.out.println("saved " + o.bundle());
    }
    return Main.OK;
  }
}
