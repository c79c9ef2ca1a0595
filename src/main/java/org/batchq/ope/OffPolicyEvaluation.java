package org.batchq.ope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.batchq.env.Rng;
import org.batchq.eval.Stats;
import org.batchq.fqi.Fqi;
import org.batchq.fqi.FqiData;
import org.batchq.fqi.IterationStats;
import org.batchq.learner.LearnerSettings;
import org.batchq.policy.Policy;

/**
 * Estimates several target policies' discounted values from one log, side by side (docs/ope.md).
 *
 * <p>Intervals come from one set of bootstrap resamples of whole episodes, drawn by the seed and shared by every
 * policy and estimator, so that a policy's difference to the first is paired resample by resample:
 *
 * <ul>
 *   <li>the importance-sampling estimators (and the logged return) take the 2.5% and 97.5% percentiles of their
 *       values on all {@code bootstrap} resamples;
 *   <li>FQE is refitted on the first {@code refits} resamples, continuing from the full log's Q^pi ({@link
 *       #refitIterations}), so its interval holds its own fitting variance as well as the spread of initial
 *       states: estimate +- t(refits - 1) x the refits' standard deviation. DR and WDR keep the full log's FQE
 *       model on every resample;
 *   <li>the model-based estimate refits its one-step model on the same first {@code refits} resamples (one model
 *       per resample serves every policy), and its interval is formed the same way.
 * </ul>
 *
 * Every replicate depends only on the seed and its index, never on the thread count.
 */
public final class OffPolicyEvaluation {
  private static final long RESAMPLE_STREAM = 11;

  public enum Estimator {
    FQE, PDIS, WPDIS, DR, WDR, MB;

    public String label() {
      return name().toLowerCase();
    }

    /** Whether the estimator weighs episodes by importance ratios (and so has an effective sample size). */
    public boolean weighted() {
      return !refitted();
    }

    /** Whether the interval comes from refits on resamples (estimate +- t x their spread), not percentiles. */
    boolean refitted() {
      return this == FQE || this == MB;
    }

    boolean needsModel() {
      return this == FQE || this == DR || this == WDR;
    }
  }

  /** A policy to evaluate, by the name the output shows. */
  public record Target(String name, Policy policy) {}

  /**
   * @param schedule FQE's iterations, gamma (every estimator's discount) and target clipping
   * @param learner FQE's regressor
   * @param modelLearner the model-based estimator's regressor for its dynamics, rewards and terminations
   * @param bootstrap resamples of episodes for the intervals (0: no intervals)
   * @param refits FQE's and the model-based estimate's refits on the first resamples for their intervals (at most
   *     {@code bootstrap}; 0: no interval for either)
   */
  public record Settings(Fqi.Schedule schedule, LearnerSettings learner, LearnerSettings modelLearner,
      Set<Estimator> estimators, int bootstrap, int refits, long seed) {
    public Settings {
      if (estimators.isEmpty()) {
        throw new IllegalArgumentException("name at least one estimator");
      }
      if (bootstrap < 0 || bootstrap == 1) {
        throw new IllegalArgumentException("--bootstrap must be 0 (no intervals) or at least 2 (got " + bootstrap + ")");
      }
      if (refits < 0 || refits == 1 || refits > bootstrap) {
        throw new IllegalArgumentException("--fqe-refits must be 0 or between 2 and --bootstrap (" + bootstrap
            + "), got " + refits);
      }
      estimators = Set.copyOf(estimators);
    }

    public double gamma() {
      return schedule.gamma();
    }

    /** Whether any chosen estimator weighs episodes by importance ratios (and so needs behaviour probabilities). */
    public boolean weighs() {
      return estimators.stream().anyMatch(Estimator::weighted);
    }

    /** Whether any chosen estimator needs FQE's Q-function (FQE itself, DR, WDR). */
    public boolean fitsModel() {
      return estimators.stream().anyMatch(Estimator::needsModel);
    }
  }

  /** A value with its 95% interval (NaN bounds without one). */
  public record Interval(double estimate, double lo, double hi) {}

  /**
   * One estimator's figures for one policy.
   *
   * @param ess the effective sample size of the importance weights (NaN for FQE)
   * @param trusted false when the effective sample size is below {@link Report#minimumEss}: the estimate rests on
   *     too few episodes that follow the target to be read as a number
   * @param difference the paired difference to the first policy's estimate by the same estimator (null for the
   *     first policy itself)
   */
  public record Estimate(String policy, Estimator estimator, Interval value, double ess, boolean trusted,
      Interval difference) {}

  /**
   * @param logged the behaviour policy's own mean discounted return in the log, with its bootstrap interval
   * @param fqeIterations each policy's FQE diagnostics on the full log, by policy name (empty without FQE)
   */
  public record Report(List<Estimate> estimates, Interval logged, int episodes, int rows, boolean estimatedBehavior,
      double minimumEss, Map<String, List<IterationStats>> fqeIterations) {}

  private OffPolicyEvaluation() {}

  /** The effective sample size below which a weighted estimate is not to be trusted: max(30, 5% of the episodes). */
  public static double minimumEss(int episodes) {
    return Math.max(30, 0.05 * episodes);
  }

  /**
   * Evaluates {@code targets} on {@code log}. {@code onFqeIteration} sees every FQE iteration, refits included, as
   * it completes.
   */
  public static Report run(LoggedEpisodes log, List<Target> targets, Settings settings,
      Consumer<IterationStats> onFqeIteration) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("name at least one policy");
    }
    if (settings.weighs() && log.behaviorProbs() == null) {
      throw new IllegalArgumentException("importance sampling needs behaviour probabilities");
    }
    int[][] resamples = IntStream.range(0, settings.bootstrap())
        .mapToObj(b -> resample(settings.seed(), b, log.episodes())).toArray(int[][]::new);
    // The one-step model does not depend on the target: fitted once on the log and once per refit resample.
    List<FqiData> modelData = new ArrayList<>();
    List<ModelBased.Model> models = new ArrayList<>();
    try {
      if (settings.estimators().contains(Estimator.MB)) {
        modelData.add(log.data());
        for (int r = 0; r < settings.refits(); r++) {
          modelData.add(log.resample(resamples[r]));
        }
        for (int r = 0; r < modelData.size(); r++) {
          LearnerSettings learner = settings.modelLearner();
          models.add(ModelBased.fit(modelData.get(r), learner.withSeed(learner.seed() + r)));
        }
      }
      return evaluate(log, targets, settings, onFqeIteration, resamples, models, modelData);
    } finally {
      models.forEach(ModelBased.Model::close);
    }
  }

  private static Report evaluate(LoggedEpisodes log, List<Target> targets, Settings settings,
      Consumer<IterationStats> onFqeIteration, int[][] resamples, List<ModelBased.Model> models,
      List<FqiData> modelData) {
    boolean weighted = settings.weighs();
    boolean model = settings.fitsModel();
    FqiData data = log.data();
    int episodes = log.episodes();
    int actions = data.actionCount();
    double gamma = settings.gamma();
    double minimumEss = minimumEss(episodes);

    double[] loggedReturns = ImportanceSampling.loggedReturns(log, gamma);
    double[] loggedReplicates = Arrays.stream(resamples).mapToDouble(c -> weightedMean(loggedReturns, c)).toArray();
    Interval logged = percentile(weightedMean(loggedReturns, null), loggedReplicates);

    List<Estimate> estimates = new ArrayList<>();
    Map<String, List<IterationStats>> diagnostics = new java.util.LinkedHashMap<>();
    Map<Estimator, double[]> firstReplicates = new EnumMap<>(Estimator.class);
    Map<Estimator, Double> firstValues = new EnumMap<>(Estimator.class);
    for (Target target : targets) {
      Map<Estimator, Double> values = new EnumMap<>(Estimator.class);
      Map<Estimator, double[]> replicates = new EnumMap<>(Estimator.class);
      double ess = Double.NaN;
      float[] q = null;
      if (model) {
        try (Fqe.Fit fit = Fqe.fit(data, target.policy(), settings.schedule(), settings.learner(), null,
            onFqeIteration)) {
          q = fit.q().predict(data.obs(), data.rows());
          values.put(Estimator.FQE, fit.estimate());
          diagnostics.put(target.name(), fit.iterations());
          replicates.put(Estimator.FQE, refits(log, resamples, target, settings, fit, onFqeIteration));
        }
      }
      if (!models.isEmpty()) {
        double[] mb = new double[models.size()];
        for (int r = 0; r < mb.length; r++) {
          FqiData on = modelData.get(r);
          mb[r] = ModelBased.value(models.get(r), target.policy(), on.initialObs(), on.initialRows().length, gamma,
              settings.schedule().iterations(), settings.seed());
        }
        values.put(Estimator.MB, mb[0]);
        replicates.put(Estimator.MB, Arrays.copyOfRange(mb, 1, mb.length));
      }
      if (weighted) {
        float[] pi = new float[data.rows() * actions];
        target.policy().distribution(data.obs(), data.rows(), pi);
        ImportanceSampling is = new ImportanceSampling(log, pi, q, gamma);
        ImportanceSampling.Values full = is.estimate(null);
        ess = full.ess();
        ImportanceSampling.Values[] reps = Arrays.stream(resamples).parallel().map(is::estimate)
            .toArray(ImportanceSampling.Values[]::new);
        put(values, replicates, Estimator.PDIS, full.pdis(), reps, ImportanceSampling.Values::pdis);
        put(values, replicates, Estimator.WPDIS, full.wpdis(), reps, ImportanceSampling.Values::wpdis);
        put(values, replicates, Estimator.DR, full.dr(), reps, ImportanceSampling.Values::dr);
        put(values, replicates, Estimator.WDR, full.wdr(), reps, ImportanceSampling.Values::wdr);
      }
      boolean first = firstValues.isEmpty();
      for (Estimator e : Estimator.values()) {
        if (!settings.estimators().contains(e)) {
          continue;
        }
        double v = values.get(e);
        double[] reps = replicates.get(e);
        Interval interval = e.refitted() ? standardError(v, reps) : percentile(v, reps);
        Interval difference = null;
        if (first) {
          firstValues.put(e, v);
          firstReplicates.put(e, reps);
        } else {
          double[] paired = new double[reps.length];
          for (int i = 0; i < reps.length; i++) {
            paired[i] = reps[i] - firstReplicates.get(e)[i];
          }
          double d = v - firstValues.get(e);
          difference = e.refitted() ? standardError(d, paired) : percentile(d, paired);
        }
        boolean trusted = !e.weighted() || ess >= minimumEss;
        estimates.add(new Estimate(target.name(), e, interval, e.weighted() ? ess : Double.NaN, trusted, difference));
      }
    }
    return new Report(estimates, logged, episodes, data.rows(), log.estimated(), minimumEss, diagnostics);
  }

  /**
   * FQE on each of the first {@code refits} resamples, continuing from the full log's Q^pi for {@link
   * #refitIterations} iterations with a seed of its own: the refit's estimate moves to its resample's own fixed point
   * and carries its own fitting noise, which is what the interval must hold.
   */
  private static double[] refits(LoggedEpisodes log, int[][] resamples, Target target, Settings settings,
      Fqe.Fit full, Consumer<IterationStats> onFqeIteration) {
    double[] out = new double[settings.refits()];
    Fqi.Schedule s = settings.schedule();
    Fqi.Schedule continued = new Fqi.Schedule(refitIterations(s.iterations()), s.gamma(), s.clip(), 1);
    for (int r = 0; r < out.length; r++) {
      LearnerSettings learner = settings.learner().withSeed(settings.learner().seed() + 1 + r);
      try (Fqe.Fit fit = Fqe.fit(log.resample(resamples[r]), target.policy(), continued, learner, full.q(),
          onFqeIteration)) {
        out[r] = fit.estimate();
      }
    }
    return out;
  }

  /**
   * How many iterations a refit continues for: half of the full fit's. From the full log's Q^pi, K/2 backups close
   * all but gamma^(K/2) of the gap to the resample's own fixed point (at gamma 0.99 and K = 459, 90% of it), at
   * half the cost of a refit from zero.
   */
  public static int refitIterations(int iterations) {
    return (iterations + 1) / 2;
  }

  private static void put(Map<Estimator, Double> values, Map<Estimator, double[]> replicates, Estimator e,
      double full, ImportanceSampling.Values[] reps, java.util.function.ToDoubleFunction<ImportanceSampling.Values> f) {
    values.put(e, full);
    replicates.put(e, Arrays.stream(reps).mapToDouble(f).toArray());
  }

  /** Resample {@code b}: how often each of {@code episodes} episodes is drawn in {@code episodes} draws. */
  static int[] resample(long seed, int b, int episodes) {
    Rng rng = Rng.derive(seed, RESAMPLE_STREAM, b);
    int[] counts = new int[episodes];
    for (int i = 0; i < episodes; i++) {
      counts[rng.nextInt(episodes)]++;
    }
    return counts;
  }

  /**
   * The mean of per-episode values over a resample ({@code counts} null: each episode once), summed in episode order
   * as {@link ImportanceSampling} sums PDIS, so that the two agree to the bit when every ratio is 1.
   */
  static double weightedMean(double[] perEpisode, int[] counts) {
    double sum = 0;
    double n = 0;
    for (int e = 0; e < perEpisode.length; e++) {
      int k = counts == null ? 1 : counts[e];
      sum += k * perEpisode[e];
      n += k;
    }
    return sum / n;
  }

  /** The estimate with the 2.5% and 97.5% percentiles of its replicates (linear interpolation between order statistics). */
  static Interval percentile(double estimate, double[] replicates) {
    if (replicates.length < 2) {
      return new Interval(estimate, Double.NaN, Double.NaN);
    }
    double[] sorted = replicates.clone();
    Arrays.sort(sorted);
    return new Interval(estimate, quantile(sorted, 0.025), quantile(sorted, 0.975));
  }

  private static double quantile(double[] sorted, double p) {
    double at = p * (sorted.length - 1);
    int lo = (int) Math.floor(at);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
  }

  /** The estimate +- t(n - 1) x the replicates' standard deviation (the bootstrap standard error). */
  static Interval standardError(double estimate, double[] replicates) {
    int n = replicates.length;
    if (n < 2) {
      return new Interval(estimate, Double.NaN, Double.NaN);
    }
    double half = Stats.t975(n - 1) * Stats.summarize(replicates).std();
    return new Interval(estimate, estimate - half, estimate + half);
  }
}
