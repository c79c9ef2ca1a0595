package org.batchq.model;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.batchq.Version;
import org.batchq.data.Dataset;
import org.batchq.env.EnvSpec;
import org.batchq.env.Environments;
import org.batchq.fqi.IterationStats;
import org.batchq.io.Hashing;
import org.batchq.io.Json;

/**
 * A fit's manifest, section by section, as every engine writes it (the local one in {@link Training}, and the
 * Spark engine): one place for the keys, so the engines' manifests cannot drift apart.
 */
public final class FitManifest {
  private FitManifest() {}

  /**
   * The configuration in the form {@code fit --config} reads and run manifests record ({@code settings.training}),
   * without the thread count: results do not depend on it, so it is a run fact.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> settings(Training.Config config) {
    Map<String, Object> settings = Json.MAPPER.convertValue(config, Map.class);
    ((Map<String, Object>) settings.get("learner")).remove("threads");
    return settings;
  }

  /**
   * The manifest's {@code training} section as every engine writes it: the split's sizes and the settings that
   * shaped the data; an engine adds its own entries.
   */
  public static Map<String, Object> training(Training.Config config, String engine, long trainRows, long validRows,
      long episodes, long validEpisodes) {
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("train_rows", trainRows);
    training.put("valid_rows", validRows);
    training.put("episodes", episodes);
    training.put("valid_episodes", validEpisodes);
    training.put("validation_fraction", config.validationFraction());
    training.put("reward_transform", config.reward().name().toLowerCase());
    training.put("ensemble", config.ensemble());
    training.put("clip_targets", config.clipTargets());
    training.put("average_iterates", config.averageIterates());
    training.put("advantage_learning", config.advantageLearning());
    training.put("engine", engine);
    return training;
  }

  /** The data files a model was fitted on, by name, size, rows and SHA-256 (never by path: that is a run fact). */
  public static List<Manifest.DataFile> dataFiles(Dataset dataset) {
    return dataset.sources().stream().map(s -> new Manifest.DataFile(s.file().getFileName().toString(), s.bytes(),
        s.rows(), Hashing.sha256(s.file()))).toList();
  }

  /** Where the data files were, for the {@code run} section. */
  public static List<String> dataPaths(Dataset dataset) {
    return dataset.sources().stream().map(s -> s.file().toAbsolutePath().toString()).toList();
  }

  /** The manifest's {@code run} section (facts of this run) as every engine writes it; an engine adds its own. */
  public static Map<String, Object> run(List<String> dataPaths, double loadSeconds, double fitSeconds,
      double learnerSeconds) {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("created", Instant.now().toString());
    run.put("data_paths", dataPaths);
    run.put("load_seconds", loadSeconds);
    run.put("fit_seconds", fitSeconds);
    run.put("learner_seconds", learnerSeconds);
    return run;
  }

  /**
   * A manifest for a fit of {@code config} on data from {@code env}, whichever engine ran it (the local one here,
   * or the Spark engine). {@code training} and {@code run} hold the figures of the fit and the facts of the run.
   */
  public static Manifest of(EnvSpec env, Training.Config config, List<Manifest.DataFile> files,
      Map<String, Object> training,
      List<IterationStats> diagnostics, Map<String, Object> regressor, Map<String, Object> run) {
    String algorithm = config.algorithm();
    return new Manifest(Manifest.FORMAT, ModelBundle.FORMAT_VERSION, algorithm, env.id(), Environments.plugin(env.id()),
        env.observationSize(),
        env.actionCount(), "single".equals(algorithm) ? "obs + one-hot(action)"
            : "neural".equals(algorithm) ? "obs (standardised inside the model)" : "obs", config.gamma(),
        config.iterations(), config.seed(), regressor, null, files, training, settings(config), diagnostics,
        Map.of("batchq", Version.BATCHQ, "xgboost4j", Version.XGBOOST), run);
  }
}
