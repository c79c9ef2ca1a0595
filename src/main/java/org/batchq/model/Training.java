package org.batchq.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.batchq.data.Dataset;
import org.batchq.env.EnvSpec;
import org.batchq.fqi.Fqi;
import org.batchq.fqi.IterationStats;
import org.batchq.fqi.RewardTransform;
import org.batchq.fqi.TrainingData;
import org.batchq.io.BadInputException;
import org.batchq.io.InvalidSettingException;
import org.batchq.learner.LearnerSettings;
import org.batchq.learner.Regressor;
import org.batchq.learner.UnusableDataException;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.runtime.QFunction;

/** Fits a dataset with FQI and saves the result as a bundle with its manifest: what {@code fit} and {@code run} do. */
public final class Training {
  /**
   * Everything besides the data that determines a model.
   *
   * @param learner the regressor's settings, which name the algorithm ({@code multiple}, {@code single}, {@code neural})
   * @param ensemble how many fits, each holding out its own episodes, are averaged into the model (1: one fit)
   * @param clipTargets keep FQI targets within the range of discounted returns of the data's rewards
   * @param averageIterates FQI bootstraps from, and returns, the mean of its last this many iterates (1: plain FQI)
   * @param advantageLearning advantage learning's alpha: each target less alpha times its action's gap (0: plain FQI)
   */
  public record Config(int iterations, double gamma, double validationFraction, RewardTransform reward,
      LearnerSettings learner, int ensemble, boolean clipTargets, int averageIterates, double advantageLearning) {
    public Config {
      if (averageIterates > 1 && !(learner instanceof XgboostSettings trees && !trees.warmStart())) {
        throw new InvalidSettingException("average_iterates is available for the tree algorithms (single,"
            + " multiple) without learner.warm_start", "average_iterates", "learner.warm_start");
      }
      InvalidSettingException.atLeast("ensemble", ensemble, 1);
      if (ensemble > 1 && validationFraction == 0) {
        throw new InvalidSettingException("ensemble members differ by the episodes they hold out: keep"
            + " validation_fraction above 0", "ensemble", "validation_fraction");
      }
      if (ensemble > 1 && "neural".equals(learner.algorithm())) {
        throw new InvalidSettingException("ensemble is available for the tree algorithms (single, multiple), not"
            + " neural", "ensemble");
      }
      // checks iterations, gamma, average_iterates, advantage_learning (the fields are not assigned yet: no schedule())
      new Fqi.Schedule(iterations, gamma, clipTargets, averageIterates, advantageLearning);
      InvalidSettingException.in("validation_fraction", validationFraction, 0, true, 1, false);
    }

    /** The defaults of {@code fit} around {@code learner}: 50 iterations at gamma 0.99, a tenth of episodes held out. */
    public static Config defaults(LearnerSettings learner) {
      return new Config(50, 0.99, 0.1, RewardTransform.NONE, learner, 1, false, 1, 0);
    }

    /**
     * Reads run manifests written before --average-iterates or --advantage-learning existed, where they are absent:
     * plain FQI.
     */
    @JsonCreator
    static Config fromJson(@JsonProperty("iterations") int iterations, @JsonProperty("gamma") double gamma,
        @JsonProperty("validation_fraction") double validationFraction, @JsonProperty("reward") RewardTransform reward,
        @JsonProperty("learner") LearnerSettings learner, @JsonProperty("ensemble") int ensemble,
        @JsonProperty("clip_targets") boolean clipTargets, @JsonProperty("average_iterates") Integer averageIterates,
        @JsonProperty("advantage_learning") Double advantageLearning) {
      return new Config(iterations, gamma, validationFraction, reward, learner, ensemble, clipTargets,
          averageIterates == null ? 1 : averageIterates, advantageLearning == null ? 0 : advantageLearning);
    }

    public String algorithm() {
      return learner.algorithm();
    }

    public long seed() {
      return learner.seed();
    }

    /** The same configuration with another thread count. */
    public Config withThreads(int threads) {
      return new Config(iterations, gamma, validationFraction, reward, learner.withThreads(threads), ensemble,
          clipTargets, averageIterates, advantageLearning);
    }

    /** The same configuration with targets clipped or not. */
    public Config withClipTargets(boolean clip) {
      return new Config(iterations, gamma, validationFraction, reward, learner, ensemble, clip, averageIterates,
          advantageLearning);
    }

    /** How FQI iterates under this configuration. */
    public Fqi.Schedule schedule() {
      return new Fqi.Schedule(iterations, gamma, clipTargets, averageIterates, advantageLearning);
    }
  }

  /**
   * What a fit produced, besides the bundle on disk.
   *
   * @param returnRange where every discounted return of the (transformed) training rewards lies: [lo, hi]
   */
  public record Outcome(Path bundle, List<IterationStats> iterations, int trainRows, long episodes, long validEpisodes,
      double seconds, double learnerSeconds, float[] returnRange) {

    /**
     * Whether the fit went wrong beyond doubt: its mean max-Q over initial states lies more than 5% of the range
     * outside the range every discounted return lies in, or its final training loss exceeds the square of 5% of
     * that range (an RMS error of a twentieth of all possible values). A sound Q-function does neither.
     */
    public boolean diverged() {
      IterationStats last = iterations.get(iterations.size() - 1);
      double margin = 0.05 * (returnRange[1] - returnRange[0]);
      return last.initialMaxQ() > returnRange[1] + margin || last.initialMaxQ() < returnRange[0] - margin
          || last.trainLoss() > margin * margin;
    }
  }

  private Training() {}

  /** What one member of a fit contributes: its held-out split's sizes and its FQI result. */
  private record Member(int trainRows, int validRows, long episodes, long validEpisodes, Fqi.Result result) {}

  /**
   * Fits {@code dataset} and writes the bundle to {@code out} (refused if it exists, unless {@code force}). Data
   * that cannot be fitted is reported as a {@link BadInputException} naming the inputs. {@code start} (may be
   * null) is Q_0, the model FQI continues from; without it Q_0 = 0.
   *
   * <p>With an ensemble of N, member m is exactly the single fit with seed + m: it holds out its own episodes, so
   * the members are fitted on different subsets of episodes (bagging), and the saved model is their mean.
   */
  public static Outcome fit(Dataset dataset, Config config, ModelBundle.Loaded start, Path out, boolean force,
      Consumer<IterationStats> onIteration) {
    long startTime = System.nanoTime();
    EnvSpec env = dataset.env();
    if (start != null) {
      checkStart(start, env, config);
    }
    List<Member> members = new ArrayList<>();
    Map<String, Object> regressorSettings = null;
    double loadSeconds;
    // The learner's native library loads on the other core while this one reads; a failure there is the learner's
    // to report when it is created, so it is not waited for here.
    CompletableFuture.runAsync(config.learner()::prepare);
    try {
      long t = System.nanoTime();
      TrainingData decoded = TrainingData.decode(dataset); // once, whatever the ensemble's size
      loadSeconds = (System.nanoTime() - t) / 1e9;
      for (int m = 0; m < config.ensemble(); m++) {
        long seed = config.seed() + m;
        TrainingData.Split split = decoded.split(config.validationFraction(), seed);
        try (Regressor regressor = config.learner().withSeed(seed).create(env.observationSize(), env.actionCount())) {
          if (m == 0) {
            regressorSettings = regressor.settings();
          }
          Fqi.Result result = Fqi.fit(config.reward().apply(split.train()), config.reward().apply(split.valid()),
              config.schedule(), regressor, start == null ? null : start.q(), onIteration);
          members.add(new Member(split.train().rows(), split.valid() == null ? 0 : split.valid().rows(),
              split.episodes(), split.validEpisodes(), result));
        }
      }
      List<QFunction> qs = members.stream().map(m -> m.result().q()).toList();
      try (QFunction q = qs.size() == 1 ? qs.get(0) : config.learner().mean(qs, env.observationSize(), env.actionCount())) {
        List<IterationStats> diagnostics = meanByIteration(members);
        double fitSeconds = members.stream().mapToDouble(m -> m.result().seconds()).sum();
        double learnerSeconds = members.stream().mapToDouble(m -> m.result().learnerSeconds()).sum();
        Member first = members.get(0);
        Manifest manifest = manifest(dataset, config, start, first, diagnostics, regressorSettings, loadSeconds,
            fitSeconds, learnerSeconds);
        Path saved = ModelBundle.save(out, manifest, q, force);
        return new Outcome(saved, diagnostics, first.trainRows(), first.episodes(), first.validEpisodes(),
            (System.nanoTime() - startTime) / 1e9, learnerSeconds, first.result().returnRange());
      }
    } catch (UnusableDataException e) {
      throw new BadInputException(dataset.describe(), e.getMessage());
    } finally {
      if (members.size() > 1) {
        members.forEach(m -> m.result().q().close());
      }
    }
  }

  /** A starting model must speak of the same environment, in the same reward units, as the fit it starts. */
  private static void checkStart(ModelBundle.Loaded start, EnvSpec env, Config config) {
    Manifest m = start.manifest();
    if (!java.util.Objects.equals(env.id(), m.envId()) || env.observationSize() != m.observationSize()
        || env.actionCount() != m.actionCount()) {
      throw new BadInputException(start.dir(), "is a model of " + (m.envId() == null ? "a log" : m.envId()) + " (" + m.observationSize()
          + " observations, " + m.actionCount() + " actions); the data is " + env.describe() + " (" + env.observationSize()
          + ", " + env.actionCount() + ")");
    }
    Object reward = m.training() == null ? null : m.training().get("reward_transform");
    String wanted = config.reward().name().toLowerCase();
    if (!wanted.equals(reward == null ? "none" : reward.toString())) {
      throw new BadInputException(start.dir(), "was fitted with --reward " + reward + "; this fit uses --reward "
          + wanted + ", so its Q-values are in other units");
    }
  }

  /** Each iteration's diagnostics, averaged over the members (the members' own for a single fit). */
  private static List<IterationStats> meanByIteration(List<Member> members) {
    if (members.size() == 1) {
      return members.get(0).result().iterations();
    }
    List<IterationStats> out = new ArrayList<>();
    int n = members.size();
    for (int k = 0; k < members.get(0).result().iterations().size(); k++) {
      double[] sum = new double[6];
      for (Member m : members) {
        IterationStats it = m.result().iterations().get(k);
        double[] v = {it.trainLoss(), it.validResidual(), it.initialMaxQ(), it.meanAbsChange(), it.seconds(),
            it.learnerSeconds()};
        for (int i = 0; i < v.length; i++) {
          sum[i] += v[i] / n;
        }
      }
      out.add(new IterationStats(k, sum[0], sum[1], sum[2], sum[3], sum[4], sum[5]));
    }
    return out;
  }

  private static Manifest manifest(Dataset dataset, Config config, ModelBundle.Loaded start, Member first,
      List<IterationStats> diagnostics, Map<String, Object> regressor, double loadSeconds, double fitSeconds,
      double learnerSeconds) {
    List<Manifest.DataFile> files = FitManifest.dataFiles(dataset);
    Map<String, Object> training = FitManifest.training(config, "local", first.trainRows(), first.validRows(), first.episodes(),
        first.validEpisodes());
    if (start != null) {
      // Q_0 is part of what determines the model: name it by content, as the data files are.
      training.put("start_model", Map.of("name", start.name(), "sha256", start.manifest().contentSha256()));
    }
    Map<String, Object> run = FitManifest.run(FitManifest.dataPaths(dataset), loadSeconds, fitSeconds,
        learnerSeconds);
    run.put("threads", config.learner().threads());
    return FitManifest.of(dataset.env(), config, files, training, diagnostics, regressor, run);
  }
}
