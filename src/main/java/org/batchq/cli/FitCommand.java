package org.batchq.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.batchq.Version;
import org.batchq.data.Dataset;
import org.batchq.fqi.Fqi;
import org.batchq.fqi.IterationStats;
import org.batchq.fqi.TrainingData;
import org.batchq.fqi.XgboostRegressor;
import org.batchq.fqi.UnusableDataException;
import org.batchq.io.BadInputException;
import org.batchq.io.Hashing;
import org.batchq.model.Manifest;
import org.batchq.model.ModelBundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Fit a Q-function with Fitted Q Iteration over stored transitions and save a model bundle.")
final class FitCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(names = "--algorithm", defaultValue = "multiple",
      description = "multiple (one booster per action, default) or single (one booster on obs + one-hot action).")
  String algorithm;

  @Option(names = "--iterations", defaultValue = "50", description = "FQI iterations (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--gamma", defaultValue = "0.99", description = "Discount factor in [0, 1) (default: ${DEFAULT-VALUE}).")
  double gamma;

  @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true, description = "Model bundle directory, e.g. models/m1.")
  Path out;

  @Option(names = "--force", description = "Replace an existing bundle.")
  boolean force;

  @Option(names = "--validation-fraction", defaultValue = "0.1",
      description = "Share of episodes held out for the Bellman residual; 0 disables (default: ${DEFAULT-VALUE}).")
  double validationFraction;

  @Option(names = "--rounds", defaultValue = "100", description = "Boosting rounds per FQI iteration (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--max-depth", defaultValue = "6", description = "Tree depth (default: ${DEFAULT-VALUE}).")
  int maxDepth;

  @Option(names = "--eta", defaultValue = "0.3", description = "Learning rate (default: ${DEFAULT-VALUE}).")
  double eta;

  @Option(names = "--min-child-weight", defaultValue = "1", description = "Minimum hessian per leaf (default: ${DEFAULT-VALUE}).")
  double minChildWeight;

  @Option(names = "--subsample", defaultValue = "1", description = "Row subsampling per tree (default: ${DEFAULT-VALUE}).")
  double subsample;

  @Option(names = "--colsample", defaultValue = "1", description = "Feature subsampling per split (default: ${DEFAULT-VALUE}).")
  double colsample;

  @Option(names = "--parallel-trees", defaultValue = "1",
      description = "Trees per round; > 1 with subsampling trains random forests (default: ${DEFAULT-VALUE}).")
  int parallelTrees;

  @Option(names = "--max-bin", defaultValue = "256", description = "Histogram bins per feature (default: ${DEFAULT-VALUE}).")
  int maxBin;

  @Option(names = "--warm-start", description = "Continue each iteration's boosters from the previous iteration's.")
  boolean warmStart;

  @Option(names = "--threads", description = "XGBoost threads (default: all cores). Results do not depend on it.")
  Integer threads;

  @Option(names = "--format", defaultValue = "table", description = "Diagnostics as table (default), csv or json.")
  Table.Format format;

  @Override
  public Integer call() {
    validate();
    long start = System.nanoTime();
    Dataset dataset = data.open();
    try {
      return fit(dataset, start);
    } catch (UnusableDataException e) {
      throw new BadInputException(dataset.describe(), e.getMessage());
    }
  }

  private int fit(Dataset dataset, long start) {
    TrainingData.Split split = TrainingData.load(dataset, validationFraction, seed);
    long loaded = System.nanoTime();
    var env = dataset.env();
    XgboostRegressor.Settings settings = new XgboostRegressor.Settings(
        "single".equals(algorithm) ? XgboostRegressor.Form.SINGLE : XgboostRegressor.Form.MULTIPLE, rounds, maxDepth,
        eta, minChildWeight, subsample, colsample, parallelTrees, maxBin,
        threads != null ? threads : Runtime.getRuntime().availableProcessors(), seed, warmStart);
    Fqi.Result result;
    Map<String, Object> regressorSettings;
    try (XgboostRegressor regressor = new XgboostRegressor(settings, env.observationSize(), env.actionCount());
        Progress progress = Progress.start("fit", iterations, "iterations")) {
      regressorSettings = regressor.settings();
      result = Fqi.fit(split.train(), split.valid(), iterations, gamma, regressor,
          it -> progress.step(1, String.format("loss %.4g", it.trainLoss())));
    }
    try (var q = result.q()) {
      Manifest manifest = manifest(dataset, split, result, regressorSettings, (loaded - start) / 1e9);
      Path saved = ModelBundle.save(out, manifest, q, force);
      System.out.print(diagnostics(result.iterations()).render(format));
      if (format == Table.Format.TABLE) {
        double total = (System.nanoTime() - start) / 1e9;
        System.out.printf("fitted %d transitions (%d episodes, %d held out) in %.2f s: %.0f%% inside XGBoost; saved %s%n",
            split.train().rows(), split.episodes(), split.validEpisodes(), total,
            100 * result.learnerSeconds() / total, saved);
      }
    }
    return Main.OK;
  }

  private void validate() {
    if (!"multiple".equals(algorithm) && !"single".equals(algorithm)) {
      throw new IllegalArgumentException("unknown --algorithm '" + algorithm + "' (known: multiple, single)");
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("--iterations must be at least 1 (got " + iterations + ")");
    }
    if (!(gamma >= 0 && gamma < 1)) {
      throw new IllegalArgumentException("--gamma must be in [0, 1) (got " + gamma + ")");
    }
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException("--validation-fraction must be in [0, 1) (got " + validationFraction + ")");
    }
    if (rounds < 1 || maxDepth < 1 || parallelTrees < 1 || maxBin < 2) {
      throw new IllegalArgumentException("--rounds, --max-depth and --parallel-trees must be at least 1, --max-bin at least 2");
    }
    if (!(eta > 0 && eta <= 1) || !(subsample > 0 && subsample <= 1) || !(colsample > 0 && colsample <= 1)) {
      throw new IllegalArgumentException("--eta, --subsample and --colsample must be in (0, 1]");
    }
    if (threads != null && threads < 1) {
      throw new IllegalArgumentException("--threads must be at least 1");
    }
  }

  private Manifest manifest(Dataset dataset, TrainingData.Split split, Fqi.Result result, Map<String, Object> regressor,
      double loadSeconds) {
    List<Manifest.DataFile> files = new ArrayList<>();
    for (Dataset.Source s : dataset.sources()) {
      files.add(new Manifest.DataFile(s.file().getFileName().toString(), s.bytes(), s.rows(), Hashing.sha256(s.file())));
    }
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("train_rows", split.train().rows());
    training.put("valid_rows", split.valid() == null ? 0 : split.valid().rows());
    training.put("episodes", split.episodes());
    training.put("valid_episodes", split.validEpisodes());
    training.put("validation_fraction", validationFraction);
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("created", Instant.now().toString());
    run.put("data_paths", dataset.sources().stream().map(s -> s.file().toAbsolutePath().toString()).toList());
    run.put("threads", threads != null ? threads : Runtime.getRuntime().availableProcessors());
    run.put("load_seconds", loadSeconds);
    run.put("fit_seconds", result.seconds());
    run.put("learner_seconds", result.learnerSeconds());
    var env = dataset.env();
    return new Manifest(Manifest.FORMAT, ModelBundle.FORMAT_VERSION, algorithm, env.id(), env.observationSize(),
        env.actionCount(), "single".equals(algorithm) ? "obs + one-hot(action)" : "obs", gamma, iterations, seed,
        regressor, null, files, training, result.iterations(),
        Map.of("batchq", Version.BATCHQ, "xgboost4j", Version.XGBOOST), run);
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
