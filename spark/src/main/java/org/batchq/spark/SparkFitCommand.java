package org.batchq.spark;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.batchq.cli.DataOptions;
import org.batchq.cli.FitOptions;
import org.batchq.cli.FitReport;
import org.batchq.cli.Main;
import org.batchq.cli.Progress;
import org.batchq.data.ColumnMapping;
import org.batchq.env.EnvSpec;
import org.batchq.io.AtomicOutput;
import org.batchq.io.Table;
import org.batchq.learner.Regressor;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.model.FitManifest;
import org.batchq.model.Manifest;
import org.batchq.model.ModelBundle;
import org.batchq.model.Training;
import org.batchq.runtime.Bundle;
import org.batchq.runtime.QFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fit} on Spark: the local {@code fit}'s options, plus where Spark runs; the same bundle comes out. */
@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Fit a Q-function with Fitted Q Iteration on Spark (XGBoost4J-Spark) and save a model bundle.")
final class SparkFitCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Mixin FitOptions fit;

  @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true, description = "Model bundle directory, e.g. models/sp1.")
  Path out;

  @Option(names = "--force", description = "Replace an existing bundle.")
  boolean force;

  @Option(names = "--format", defaultValue = "table", description = "Diagnostics as table (default), csv or json.")
  Table.Format format;

  @Option(names = "--engine", defaultValue = "spark", description = "Always spark here (accepted so that"
      + " 'batchq fit --engine spark' arguments pass through unchanged).")
  String engine;

  @Option(names = "--master", description = "Spark master, e.g. local[2] or yarn (default: spark-submit's, else local[*]).")
  String master;

  @Option(names = "--workers", description = "XGBoost workers, one Spark task each (default: Spark's default parallelism).")
  Integer workers;

  @Override
  public Integer call() {
    if (!"spark".equals(engine)) {
      throw new IllegalArgumentException("batchq-spark fits with --engine spark only (use batchq fit for '" + engine + "')");
    }
    Training.Config config = fit.config(seed);
    if (!(config.learner() instanceof XgboostSettings trees)) {
      throw new IllegalArgumentException("the Spark engine fits multiple and single; fit neural with the local engine");
    }
    if (trees.warmStart()) {
      throw new IllegalArgumentException("--warm-start is not available with the Spark engine (XGBoost4J-Spark trains"
          + " each iteration's boosters afresh)");
    }
    if (config.clipTargets()) {
      throw new IllegalArgumentException("--clip-targets is not available with the Spark engine yet (use the local engine)");
    }
    if (config.ensemble() > 1) {
      throw new IllegalArgumentException("--ensemble is not available with the Spark engine yet (use the local engine)");
    }
    if (config.averageIterates() > 1) {
      throw new IllegalArgumentException("--average-iterates is not available with the Spark engine yet (use the local"
          + " engine)");
    }
    if (config.advantageLearning() > 0) {
      throw new IllegalArgumentException("--advantage-learning is not available with the Spark engine yet (use the"
          + " local engine)");
    }
    if (fit.threadsGiven()) {
      throw new IllegalArgumentException("--threads does not apply to the Spark engine: it runs one XGBoost thread per"
          + " Spark task; set --workers");
    }
    ColumnMapping mapping = data.mapping();
    if (mapping.actionValues() != null || mapping.step() != null) {
      throw new IllegalArgumentException((mapping.actionValues() != null ? "--action-values" : "--step-col")
          + " is not available with the Spark engine yet (use the local engine, or write the log with integer"
          + " actions and next-observation columns)");
    }
    if (workers != null && workers < 1) {
      throw new IllegalArgumentException("--workers must be at least 1");
    }
    AtomicOutput.refuseExisting(out, force);
    long start = System.nanoTime();
    SparkSession spark = session();
    try {
      int n = workers != null ? workers : spark.sparkContext().defaultParallelism();
      SparkData.Loaded loaded = SparkData.load(spark, data.paths(), mapping, data.env(), data.actions(),
          config.validationFraction(), seed, config.reward(), n);
      double loadSeconds = (System.nanoTime() - start) / 1e9;
      SparkFqi.Result result;
      try (Progress progress = Progress.start("fit", config.iterations(), "iterations")) {
        result = SparkFqi.fit(spark, loaded, trees, config.iterations(), config.gamma(), n,
            it -> progress.step(1, String.format("loss %.4g", it.trainLoss())));
      }
      loaded.frame().unpersist();
      double seconds = (System.nanoTime() - start) / 1e9;
      Path saved = save(loaded, config, trees, result, n, spark.sparkContext().master(), loadSeconds, seconds);
      FitReport.print(result.iterations(), format, loaded.trainRows(), loaded.episodes(), loaded.validEpisodes(),
          seconds, result.learnerSeconds(), saved.toString());
      return Main.OK;
    } finally {
      spark.stop();
    }
  }

  private SparkSession session() {
    SparkConf conf = new SparkConf().setAppName("batchq fit");
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) { // not started by spark-submit
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.ui.enabled", "false");
    return SparkSession.builder().config(conf).getOrCreate();
  }

  private Path save(SparkData.Loaded loaded, Training.Config config, XgboostSettings trees,
      SparkFqi.Result result, int n, String sparkMaster, double loadSeconds, double seconds) {
    EnvSpec env = loaded.env();
    Map<String, Object> regressor;
    try (Regressor r = trees.create(env.observationSize(), env.actionCount())) {
      regressor = r.settings();
    }
    Map<String, Object> training = FitManifest.training(config, "spark", loaded.trainRows(),
        loaded.rows() - loaded.trainRows(), loaded.episodes(), loaded.validEpisodes());
    training.put("workers", n);
    // fit_seconds: FQI alone, as the local engine records it
    Map<String, Object> run = FitManifest.run(loaded.paths(), loadSeconds, seconds - loadSeconds, result.learnerSeconds());
    run.put("spark_master", sparkMaster);
    Manifest manifest = FitManifest.of(env, config, loaded.files(), training, result.iterations(), regressor, run);
    try (QFunction q = Bundle.qFunction(config.algorithm(), env.observationSize(), env.actionCount(),
        result.boosters())) {
      return ModelBundle.save(out, manifest, q, force);
    }
  }
}
