package org.batchq.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.batchq.data.Dataset;
import org.batchq.env.EnvSpec;
import org.batchq.fqi.Fqi;
import org.batchq.fqi.FqiData;
import org.batchq.fqi.TrainingData;
import org.batchq.io.AtomicOutput;
import org.batchq.io.BadInputException;
import org.batchq.io.Table;
import org.batchq.learner.LearnerSettings;
import org.batchq.learner.UnusableDataException;
import org.batchq.learner.xgboost.ClassifierSettings;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.model.Manifest;
import org.batchq.model.ModelBundle;
import org.batchq.model.Training;
import org.batchq.ope.BehaviorModel;
import org.batchq.ope.Fqe;
import org.batchq.ope.LoggedEpisodes;
import org.batchq.ope.ModelBased;
import org.batchq.ope.OffPolicyEvaluation;
import org.batchq.ope.OffPolicyEvaluation.Estimate;
import org.batchq.ope.OffPolicyEvaluation.Estimator;
import org.batchq.policy.EpsilonGreedyPolicy;
import org.batchq.policy.GreedyPolicy;
import org.batchq.policy.Policy;
import org.batchq.policy.RandomPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ope", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Estimate saved policies' discounted values from logged data alone (off-policy evaluation),"
        + " side by side, with 95%% intervals over episodes (docs/ope.md).",
        "Arguments are data (Parquet files, part directories, globs) and policies: 'random' or a model bundle"
            + " directory. The first policy is the one the others are compared with.",
        "FQE uses fit's learner options; --gamma defaults to the models' (else 0.99) and --iterations to the fewest K"
            + " with gamma^K < 0.01. mb's model uses them too, at depth 8 unless --max-depth is given."})
final class OpeCommand implements Callable<Integer>, FitOptions.OwnDefaults {
  @Mixin DataOptions data;

  @Option(names = "--estimators", split = ",", paramLabel = "E",
      description = "Any of fqe, pdis, wpdis, dr, wdr, mb (model-based: a learned one-step model rolled out under"
          + " each target) (default: all six).")
  List<String> estimators = List.of("fqe", "pdis", "wpdis", "dr", "wdr", "mb");

  @Option(names = "--target-epsilon", defaultValue = "0", paramLabel = "EPS",
      description = "Evaluate each model epsilon-greedily at EPS instead of greedily (default: ${DEFAULT-VALUE}).")
  double targetEpsilon;

  @Option(names = "--bootstrap", defaultValue = "200", paramLabel = "B",
      description = "Episode resamples for the intervals; 0: estimates only (default: ${DEFAULT-VALUE}).")
  int bootstrap;

  @Option(names = "--fqe-refits", defaultValue = "4", paramLabel = "R",
      description = "FQE refits on the first R resamples, each continuing from the full log's fit for half its"
          + " iterations, for an interval that holds FQE's own fitting variance; mb refits its model on the same"
          + " resamples (default: ${DEFAULT-VALUE}).")
  int refits;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the resamples and learners (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--format", defaultValue = "table", description = "table (default), csv or json.")
  Table.Format format;

  @Option(names = "--fqe-diagnostics", paramLabel = "FILE",
      description = "Write every FQE iteration's diagnostics on the full log (per policy) to FILE as CSV.")
  Path diagnostics;

  @Option(names = "--force", description = "Replace an existing --fqe-diagnostics file.")
  boolean force;

  @Mixin FitOptions fqe;

  /** FQI options that have no meaning for FQE: it evaluates one log as it is, always with clipped targets. */
  private static final List<String> NOT_FOR_FQE = List.of("--validation-fraction", "--ensemble", "--average-iterates",
      "--reward", "--clip-targets", "--advantage-learning");

  /** FQE's own defaults at gamma 0.99, shown by --help (the rule for other gammas is in --iterations' text). */
  @Override
  public String defaultOf(String flag) {
    return switch (flag) {
      case "--iterations" -> Integer.toString(Fqe.iterationsFor(0.99));
      case "--trees" -> Integer.toString(Fqe.TREES_PER_ITERATION);
      default -> null;
    };
  }

  @Override
  public Integer call() {
    fqe.refuse(NOT_FOR_FQE, "ope");
    List<String> policyArgs = new ArrayList<>();
    List<String> dataArgs = new ArrayList<>();
    for (String a : data.paths) {
      (isPolicy(a) ? policyArgs : dataArgs).add(a);
    }
    if (policyArgs.isEmpty()) {
      throw new IllegalArgumentException("name at least one policy: 'random' or a model bundle directory");
    }
    if (dataArgs.isEmpty()) {
      throw new IllegalArgumentException("name the logged data (Parquet files or part directories)");
    }
    Set<Estimator> chosen = parseEstimators();
    if (diagnostics != null) {
      AtomicOutput.refuseExisting(diagnostics, force);
    }
    EpsilonGreedyPolicy.checkEpsilon(targetEpsilon);
    int refitCount = bootstrap == 0 ? 0 : refits;
    Training.Config config = fqe.config(seed);
    double gamma = fqe.given("--gamma") ? config.gamma() : modelsGamma(policyArgs);
    int iterations = fqe.given("--iterations") ? config.iterations() : Fqe.iterationsFor(gamma);
    LearnerSettings learner = fqe.given("--trees") ? config.learner() : Fqe.learnerFor(config.learner());
    LearnerSettings model = fqe.given("--max-depth") ? config.learner() : ModelBased.learnerFor(config.learner());
    OffPolicyEvaluation.Settings settings = new OffPolicyEvaluation.Settings(
        new Fqi.Schedule(iterations, gamma, true, 1), learner, model, chosen, bootstrap, refitCount, seed);

    data.paths = dataArgs;
    Dataset dataset = data.open();
    EnvSpec env = dataset.env();
    TrainingData decoded = TrainingData.read(dataset);
    FqiData all = decoded.all();
    int[] starts = decoded.episodeStarts();
    float[] probs = all.behaviorProbs();
    boolean estimated = false;
    if (probs == null && data.behaviorProbColumnGiven()) {
      throw new BadInputException(dataset.describe(), "has no column " + data.columns.behaviorProbCol
          + " (named by --behavior-prob-col)");
    }
    if (probs == null && settings.weighs()) {
      try {
        probs = BehaviorModel.crossFitted(all, starts, ClassifierSettings.defaults(seed));
      } catch (UnusableDataException e) {
        throw new BadInputException(dataset.describe(), e.getMessage());
      }
      estimated = true;
    }
    LoggedEpisodes log = new LoggedEpisodes(all, starts, probs, estimated);

    List<GreedyPolicy> open = new ArrayList<>();
    List<OffPolicyEvaluation.Target> targets = new ArrayList<>();
    OffPolicyEvaluation.Report report;
    try {
      for (String p : policyArgs) {
        targets.add(new OffPolicyEvaluation.Target(p, policy(p, env, open)));
      }
      long work = settings.fitsModel() ? (long) targets.size()
          * (iterations + (long) refitCount * OffPolicyEvaluation.refitIterations(iterations)) : 0;
      try (Progress progress = Progress.start("ope", work, "FQE iterations")) {
        report = OffPolicyEvaluation.run(log, targets, settings,
            it -> progress.step(1, String.format("loss %.4g", it.trainLoss())));
      }
    } finally {
      open.forEach(GreedyPolicy::close);
    }
    print(report, settings);
    if (diagnostics != null) {
      writeDiagnostics(report);
    }
    return Main.OK;
  }

  /** Every FQE iteration on the full log, per policy: the convergence a reader should check. */
  private void writeDiagnostics(OffPolicyEvaluation.Report report) {
    Table t = new Table("policy", "iteration", "train_loss", "initial_max_q", "mean_abs_change", "seconds");
    report.fqeIterations().forEach((policy, its) -> its.forEach(it -> t.row(policy, it.iteration(), it.trainLoss(),
        it.initialMaxQ(), it.meanAbsChange(), it.seconds())));
    try (AtomicOutput out = AtomicOutput.begin(diagnostics, force)) {
      Files.writeString(out.path(), t.render(Table.Format.CSV));
      out.publish();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + diagnostics + ": " + e.getMessage(), e);
    }
  }

  /** An argument names a policy when it is 'random' or a directory holding a model manifest. */
  private static boolean isPolicy(String arg) {
    return "random".equals(arg) || Files.isRegularFile(Path.of(arg).resolve(ModelBundle.MANIFEST));
  }

  private Set<Estimator> parseEstimators() {
    Set<Estimator> out = EnumSet.noneOf(Estimator.class);
    for (String e : estimators) {
      try {
        out.add(Estimator.valueOf(e.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException("unknown estimator '" + e + "' (known: fqe, pdis, wpdis, dr, wdr, mb)");
      }
    }
    return out;
  }

  /** The FQI models' own discount (they must agree), else 0.99: --gamma's default. */
  private static double modelsGamma(List<String> policies) {
    Set<Double> gammas = policies.stream().filter(p -> !"random".equals(p)).map(p -> ModelBundle.manifest(Path.of(p)))
        .map(Manifest::gamma).filter(g -> g != null).collect(Collectors.toCollection(java.util.TreeSet::new));
    if (gammas.size() > 1) {
      throw new IllegalArgumentException("the models were fitted at different discounts " + gammas
          + ": say which to evaluate at with --gamma");
    }
    return gammas.isEmpty() ? 0.99 : gammas.iterator().next();
  }

  private Policy policy(String name, EnvSpec env, List<GreedyPolicy> open) {
    if ("random".equals(name)) {
      return new RandomPolicy(env.actionCount());
    }
    GreedyPolicy greedy = GreedyPolicy.load(Path.of(name));
    open.add(greedy);
    Manifest m = greedy.model().manifest();
    if (m.observationSize() != env.observationSize() || m.actionCount() != env.actionCount()) {
      throw new BadInputException(Path.of(name), "acts on " + m.observationSize() + " observations and "
          + m.actionCount() + " actions; the data has " + env.observationSize() + " and " + env.actionCount());
    }
    return targetEpsilon > 0 ? new EpsilonGreedyPolicy(greedy, targetEpsilon) : greedy;
  }

  private void print(OffPolicyEvaluation.Report r, OffPolicyEvaluation.Settings s) {
    boolean text = format == Table.Format.TABLE;
    Table table = new Table("policy", "estimator", "estimate", "ci_lo", "ci_hi", "ess", "trusted", "diff_vs_first",
        "diff_lo", "diff_hi");
    table.row("behaviour (logged)", "logged", r.logged().estimate(), r.logged().lo(), r.logged().hi(), null, null,
        null, null, null);
    for (Estimate e : r.estimates()) {
      // An estimate resting on too few episodes is shown in brackets in the table, never as a confident number.
      Object value = text && !e.trusted() ? "[" + Table.cell(e.value().estimate()) + "]" : e.value().estimate();
      table.row(e.policy(), e.estimator().label(), value, e.value().lo(), e.value().hi(),
          Double.isNaN(e.ess()) ? null : e.ess(), e.estimator().weighted() ? (e.trusted() ? "yes" : "no") : null,
          e.difference() == null ? null : e.difference().estimate(), e.difference() == null ? null : e.difference().lo(),
          e.difference() == null ? null : e.difference().hi());
    }
    System.out.print(table.render(format));
    if (!text) {
      return;
    }
    System.out.printf("%d episodes, %d transitions; discounted values at gamma %s.%n", r.episodes(), r.rows(),
        s.gamma());
    System.out.println("behaviour probabilities: " + (r.estimatedBehavior()
        ? "estimated (the log has none): an XGBoost softmax classifier on " + BehaviorModel.FOLDS
            + " folds of episodes, each row predicted by the model that did not see it"
        : "from the log's column " + data.columns.behaviorProbCol));
    if (s.fitsModel()) {
      System.out.printf("FQE: %d iterations (gamma^K = %.3g), %s learner; interval from %d refits on episode"
          + " resamples.%n", s.schedule().iterations(), Math.pow(s.gamma(), s.schedule().iterations()),
          s.learner().algorithm(), s.refits());
      // Whether FQE settled: its mean max-Q over initial states half-way and at the end, and the last loss.
      r.fqeIterations().forEach((policy, its) -> {
        var half = its.get(its.size() / 2);
        var last = its.get(its.size() - 1);
        System.out.printf("  %s: max-Q(s0) %.4g at iteration %d, %.4g at %d; final train loss %.4g%n", policy,
            half.initialMaxQ(), half.iteration() + 1, last.initialMaxQ(), last.iteration() + 1, last.trainLoss());
      });
    }
    if (s.estimators().contains(Estimator.MB)) {
      String depth = s.modelLearner() instanceof XgboostSettings t ? " (depth " + t.maxDepth() + ")" : "";
      System.out.printf("MB: a %s model%s of each observation's change, the reward and termination, rolled out %d"
          + " steps from the log's initial states; interval from %d refits on episode resamples.%n",
          s.modelLearner().algorithm(), depth, s.schedule().iterations(), s.refits());
    }
    System.out.printf("intervals: 95%%, %d episode resamples (seed %d); diff_vs_first is paired, resample by"
        + " resample.%n", s.bootstrap(), s.seed());
    if (r.estimates().stream().anyMatch(e -> !e.trusted())) {
      System.out.printf("[x]: effective sample size below %.0f (max(30, 5%% of episodes)): too few logged episodes"
          + " follow that policy for the estimate to be trusted.%n", r.minimumEss());
    }
  }
}
