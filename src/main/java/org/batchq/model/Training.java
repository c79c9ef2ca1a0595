package org.batchq.model;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.batchq.Version;
import org.batchq.data.Dataset;
import org.batchq.env.EnvSpec;
import org.batchq.fqi.Fqi;
import org.batchq.fqi.IterationStats;
import org.batchq.fqi.QFunction;
import org.batchq.fqi.RewardTransform;
import org.batchq.fqi.TrainingData;
import org.batchq.fqi.UnusableDataException;
import org.batchq.fqi.LearnerSettings;
import org.batchq.fqi.Regressor;
import org.batchq.io.BadInputException;
import org.batchq.io.Hashing;

/** Fits a dataset with FQI and saves the result as a bundle with its manifest: what {@code fit} and {@code run} do. */
public final class Training {
  /**
   * Everything besides the data that determines a model.
   *
   * @param learner the regressor's settings, which name the algorithm ({@code multiple}, {@code single}, {@code neural})
   */
  public record Config(int iterations, double gamma, double validationFraction, RewardTransform reward,
      LearnerSettings learner) {
    public Config {
      if (iterations < 1) {
        throw new IllegalArgumentException("--iterations must be at least 1 (got " + iterations + ")");
      }
      if (!(gamma >= 0 && gamma < 1)) {
        throw new IllegalArgumentException("--gamma must be in [0, 1) (got " + gamma + ")");
      }
      if (!(validationFraction >= 0 && validationFraction < 1)) {
        throw new IllegalArgumentException("--validation-fraction must be in [0, 1) (got " + validationFraction + ")");
      }
    }

    public String algorithm() {
      return learner.algorithm();
    }

    public long seed() {
      return learner.seed();
    }

    /** The same configuration with another thread count. */
    public Config withThreads(int threads) {
      return new Config(iterations, gamma, validationFraction, reward, learner.withThreads(threads));
    }
  }

  /** What a fit produced, besides the bundle on disk. */
  public record Outcome(Path bundle, List<IterationStats> iterations, int trainRows, long episodes, long validEpisodes,
      double seconds, double learnerSeconds) {}

  private Training() {}

  /**
   * Fits {@code dataset} and writes the bundle to {@code out} (refused if it exists, unless {@code force}). Data
   * that cannot be fitted is reported as a {@link BadInputException} naming the inputs.
   */
  public static Outcome fit(Dataset dataset, Config config, Path out, boolean force, Consumer<IterationStats> onIteration) {
    long start = System.nanoTime();
    try {
      TrainingData.Split split = TrainingData.load(dataset, config.validationFraction(), config.seed());
      double loadSeconds = (System.nanoTime() - start) / 1e9;
      EnvSpec env = dataset.env();
      Fqi.Result result;
      Map<String, Object> regressorSettings;
      try (Regressor regressor = config.learner().create(env.observationSize(), env.actionCount())) {
        regressorSettings = regressor.settings();
        result = Fqi.fit(config.reward().apply(split.train()), config.reward().apply(split.valid()), config.iterations(),
            config.gamma(), regressor, onIteration);
      }
      try (QFunction q = result.q()) {
        Manifest manifest = manifest(dataset, config, split, result, regressorSettings, loadSeconds);
        Path saved = ModelBundle.save(out, manifest, q, force);
        return new Outcome(saved, result.iterations(), split.train().rows(), split.episodes(), split.validEpisodes(),
            (System.nanoTime() - start) / 1e9, result.learnerSeconds());
      }
    } catch (UnusableDataException e) {
      throw new BadInputException(dataset.describe(), e.getMessage());
    }
  }

  private static Manifest manifest(Dataset dataset, Config config, TrainingData.Split split, Fqi.Result result,
      Map<String, Object> regressor, double loadSeconds) {
    List<Manifest.DataFile> files = new ArrayList<>();
    for (Dataset.Source s : dataset.sources()) {
      files.add(new Manifest.DataFile(s.file().getFileName().toString(), s.bytes(), s.rows(), Hashing.sha256(s.file())));
    }
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("train_rows", split.train().rows());
    training.put("valid_rows", split.valid() == null ? 0 : split.valid().rows());
    training.put("episodes", split.episodes());
    training.put("valid_episodes", split.validEpisodes());
    training.put("validation_fraction", config.validationFraction());
    training.put("reward_transform", config.reward().name().toLowerCase());
    training.put("engine", "local");
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("created", Instant.now().toString());
    run.put("data_paths", dataset.sources().stream().map(s -> s.file().toAbsolutePath().toString()).toList());
    run.put("threads", config.learner().threads());
    run.put("load_seconds", loadSeconds);
    run.put("fit_seconds", result.seconds());
    run.put("learner_seconds", result.learnerSeconds());
    return manifest(dataset.env(), config, files, training, result.iterations(), regressor, run);
  }

  /**
   * A manifest for a fit of {@code config} on data from {@code env}, whichever engine ran it (the local one here,
   * or the Spark engine). {@code training} and {@code run} hold the figures of the fit and the facts of the run.
   */
  public static Manifest manifest(EnvSpec env, Config config, List<Manifest.DataFile> files, Map<String, Object> training,
      List<IterationStats> diagnostics, Map<String, Object> regressor, Map<String, Object> run) {
    String algorithm = config.algorithm();
    return new Manifest(Manifest.FORMAT, ModelBundle.FORMAT_VERSION, algorithm, env.id(), env.observationSize(),
        env.actionCount(), "single".equals(algorithm) ? "obs + one-hot(action)"
            : "neural".equals(algorithm) ? "obs (standardised inside the model)" : "obs", config.gamma(),
        config.iterations(), config.seed(), regressor, null, files, training, diagnostics,
        Map.of("batchq", Version.BATCHQ, "xgboost4j", Version.XGBOOST), run);
  }
}
