package org.batchq.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.batchq.data.ColumnMapping;
import org.batchq.data.Dataset;
import org.batchq.env.Environments;
import org.batchq.eval.Evaluation;
import org.batchq.eval.Stats;
import org.batchq.fqi.Fqi;
import org.batchq.fqi.IterationStats;
import org.batchq.fqi.TrainingData;
import org.batchq.io.AtomicOutput;
import org.batchq.io.BadInputException;
import org.batchq.io.Json;
import org.batchq.model.ModelBundle;
import org.batchq.model.Training;
import org.batchq.ope.Fqe;
import org.batchq.policy.GreedyPolicy;
import org.batchq.policy.HeldExploration;
import org.batchq.policy.Policy;
import org.batchq.policy.RandomPolicy;
import org.batchq.rollout.Collection;
import org.batchq.rollout.Rollout;
import org.batchq.runtime.ActionValues;

/**
 * The classic batch-RL loop: round 0 collects with the random policy; round k collects epsilon-greedy over round
 * k-1's model, fits on the data so far (or the round's alone), and evaluates the new model greedily on the run's
 * evaluation seeds, the same in every round so the curve is paired. Rounds are scored by their mean episode return
 * (lengths are recorded beside it). Every round's dataset and model are ordinary files the other commands accept. At
 * the end the best round's model is kept as {@code best} and re-scored on fresh seeds, since the score it was chosen
 * on flatters it. With {@code rollback}, a round whose model does significantly worse than the best earlier round's
 * on those same episodes keeps that model instead (docs/run.md).
 */
public final class RunLoop {
  /** How to treat an existing run of the same name. */
  public enum Mode { NEW, FORCE, RESUME }

  /** Progress of the loop, for the CLI. */
  public interface Listener {
    /** A phase of round {@code round} (-1: before the rounds) begins: {@code count} steps of {@code unit}. */
    void phase(int round, String what, int count, String unit);

    void advance(String detail);
  }

  // Evaluation seeds live in rounds of their own, far from the collection rounds, so they never coincide.
  static final int EVAL_ROUND = 1_000_000;
  static final int RESCORE_ROUND = 2_000_000;

  private final RunPaths paths;
  private final RunSettings settings;
  private final Listener listener;

  public RunLoop(Path root, RunSettings settings, Listener listener) {
    this.paths = new RunPaths(root, settings.name());
    this.settings = settings;
    this.listener = listener;
  }

  /** Where this run's outputs live. */
  public RunPaths paths() {
    return paths;
  }

  public RunManifest run(Mode mode) {
    long start = System.nanoTime();
    List<RoundRecord> rounds = new ArrayList<>(prepare(mode));
    Scores random = evaluate(new RandomPolicy(Environments.spec(settings.envId()).actionCount()), EVAL_ROUND,
        -1, "random baseline");
    int stepLimit = Environments.spec(settings.envId()).maxEpisodeSteps();
    for (int k = rounds.size(); k < settings.rounds(); k++) {
      rounds.add(round(k, rounds));
      save(new RunManifest(RunManifest.FORMAT, RunManifest.FORMAT_VERSION, settings, random.lengths().mean(), rounds,
          null, (System.nanoTime() - start) / 1e9, random.returns().mean(),
          Environments.plugin(settings.envId())));
      Plots.write(paths.plotDir(), rounds, random.lengths().mean(), random.returns().mean(), stepLimit);
    }
    RunManifest.Best best = keepBest(rounds);
    RunManifest done = new RunManifest(RunManifest.FORMAT, RunManifest.FORMAT_VERSION, settings,
        random.lengths().mean(), rounds, best, (System.nanoTime() - start) / 1e9, random.returns().mean(),
        Environments.plugin(settings.envId()));
    save(done);
    Plots.write(paths.plotDir(), rounds, random.lengths().mean(), random.returns().mean(), stepLimit);
    return done;
  }

  /** Applies the mode to existing outputs; returns the rounds already complete (only when resuming). */
  private List<RoundRecord> prepare(Mode mode) {
    boolean exists = paths.outputs().stream().anyMatch(Files::exists);
    if (mode == Mode.FORCE || (mode == Mode.RESUME && !Files.exists(paths.manifestPath()))) {
      delete(paths.outputs());
      return List.of();
    }
    if (mode == Mode.NEW) {
      if (exists) {
        throw new AtomicOutput.OutputExistsException(Files.exists(paths.manifestPath()) ? paths.manifestPath()
            : paths.outputs().stream().filter(Files::exists).findFirst().orElseThrow());
      }
      return List.of();
    }
    RunManifest previous = load(paths.manifestPath());
    if (!withoutThreads(previous.settings()).equals(withoutThreads(settings))) {
      throw new BadInputException(paths.manifestPath(), "was started with other settings; resume with the same options,"
          + " or use --force to start over");
    }
    List<RoundRecord> complete = previous.rounds();
    for (RoundRecord r : complete) {
      if (!Files.exists(paths.root().resolve(r.dataset())) || !Files.exists(paths.root().resolve(r.model()))) {
        throw new BadInputException(paths.root().resolve(r.model()), "round " + r.round() + " is recorded as complete but its"
            + " files are gone; use --force to start over");
      }
    }
    return complete;
  }

  private static RunSettings withoutThreads(RunSettings s) {
    return new RunSettings(s.name(), s.envId(), s.rounds(), s.episodes(), s.stepBudget(), s.growBatch(), s.carryQ(),
        s.epsilon(), s.evalEpisodes(), 1, s.seed(), s.training().withThreads(1),
        s.select() == null ? RunSettings.ONLINE : s.select(), s.hold(), s.guardRefit(), s.rollback());
  }

  private RoundRecord round(int k, List<RoundRecord> earlier) {
    // Whatever an interrupted attempt at this round left is not recorded, so it is not part of the run.
    delete(List.of(paths.datasetOf(k), paths.modelOf(k)));
    long t0 = System.nanoTime();
    listener.phase(k, "collect", settings.episodes(), "episodes");
    Collection.Result data;
    Dataset dataset;
    Training.Outcome fit;
    String guard = null;
    Double divergedInitialMaxQ = null;
    Double divergedTrainLoss = null;
    long t1;
    // Round k-1's model is loaded once: it is the behaviour policy, and with --carry-q also Q_0 of this round's fit.
    try (GreedyPolicy previous = k == 0 ? null : GreedyPolicy.load(paths.modelOf(k - 1))) {
      Policy behavior = HeldExploration.of(previous, settings.epsilon(), settings.hold(),
          Environments.spec(settings.envId()).actionCount());
      data = Collection.write(new Rollout.Plan(settings.envId(), settings.episodes(), settings.envs(), settings.seed(), k,
          (long) k * settings.episodes(), settings.stepBudget()), behavior, paths.datasetOf(k), false,
          e -> listener.advance(null));
      t1 = System.nanoTime();

      List<String> inputs = IntStream.rangeClosed(settings.growBatch() ? 0 : k, k)
          .mapToObj(r -> paths.datasetOf(r).toString()).toList();
      dataset = Dataset.open(inputs, ColumnMapping.BATCHQ, null);
      ModelBundle.Loaded start = previous != null && settings.carryQ() ? previous.model() : null;
      Training.Config config = settings.training();
      fit = fit(k, dataset, config, start, "fit");
      if (fit.diverged() && start != null) {
        // The carried Q fed its error back into its own targets. Clipping the targets to the return range stops
        // that while keeping what the carried Q knows; an earlier round's Q keeps what the run knew before the
        // error; from zero drops everything. Whichever way, the round says so.
        IterationStats bad = fit.iterations().get(fit.iterations().size() - 1);
        divergedInitialMaxQ = bad.initialMaxQ();
        divergedTrainLoss = bad.trainLoss();
        if (settings.guardRefit().equals(RunSettings.REFIT_CLIPPED) && !config.clipTargets()) {
          delete(List.of(paths.modelOf(k)));
          fit = fit(k, dataset, config.withClipTargets(true), start, "refit, targets clipped");
          guard = "refitted with clipped targets";
        } else if (settings.guardRefit().equals(RunSettings.REFIT_BEST) && k >= 2) {
          // Round k-1's Q is the one that just went wrong on this data, so the best round before it is the best
          // start the run has that is not known to fail here.
          RoundRecord b = best(earlier.subList(0, k - 1));
          delete(List.of(paths.modelOf(k)));
          try (ModelBundle.Loaded bestQ = ModelBundle.load(paths.root().resolve(b.model()))) {
            fit = fit(k, dataset, config, bestQ, "refit from round " + b.round());
          }
          guard = "restarted from round " + b.round();
        }
        if (fit.diverged()) {
          delete(List.of(paths.modelOf(k)));
          fit = fit(k, dataset, config, null, "refit from zero");
          guard = "restarted from zero";
        }
      }
      if (fit.diverged()) {
        guard = "diverged";
      }
    }
    long t2 = System.nanoTime();

    Scored scored = evaluateRound(paths.modelOf(k), k, "evaluate");
    Integer rolledBackTo = null;
    Double rejected = null;
    RoundRecord incumbent = settings.rollback() && !earlier.isEmpty() ? best(earlier) : null;
    if (incumbent != null && scored.eval().returns().mean() < incumbent.evalMeanReturn()) {
      // The same seeds give the incumbent the same episodes as when it was scored, so the two are paired.
      Scored kept = evaluateRound(paths.root().resolve(incumbent.model()), k, "evaluate round " + incumbent.round());
      Stats.Difference d = Stats.paired(scored.eval().outcome().returns(), kept.eval().outcome().returns());
      if (d.significant() && d.mean() < 0) {
        // A kept model that was itself kept from an earlier round is named by the round that fitted it.
        rolledBackTo = incumbent.rolledBackTo() != null ? incumbent.rolledBackTo() : incumbent.round();
        rejected = scored.eval().returns().mean();
        copyModel(paths.root().resolve(incumbent.model()), paths.modelOf(k));
        scored = kept;
      }
    }
    Scores eval = scored.eval();
    double initialMaxQ = scored.initialMaxQ();
    long t3 = System.nanoTime();
    List<IterationStats> its = fit.iterations();
    IterationStats last = its.get(its.size() - 1);
    return new RoundRecord(k, paths.relative(paths.datasetOf(k)), paths.relative(paths.modelOf(k)),
        data.rows(), dataset.rows(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, data.meanLength(),
        eval.lengths().mean(), eval.lengths().std(), eval.lengths().min(), eval.lengths().max(), last.trainLoss(),
        last.validResidual(), its.stream().map(IterationStats::trainLoss).toList(),
        its.stream().map(IterationStats::validResidual).toList(), data.meanReturn(), eval.returns().mean(),
        eval.returns().std(), eval.returns().min(), eval.returns().max(), initialMaxQ,
        Arrays.stream(eval.outcome().discountedReturns(settings.training().gamma())).average().orElse(Double.NaN),
        (double) fit.returnRange()[1], (double) fit.returnRange()[0], guard, divergedInitialMaxQ, divergedTrainLoss,
        rolledBackTo, rejected);
  }

  /** A model's greedy evaluation on the run's evaluation seeds, and its mean max-Q over their initial states. */
  private record Scored(Scores eval, double initialMaxQ) {}

  private Scored evaluateRound(Path model, int k, String what) {
    try (GreedyPolicy greedy = GreedyPolicy.load(model)) {
      Scores eval = evaluate(greedy, EVAL_ROUND, k, what);
      int episodes = eval.outcome().rewards().length;
      return new Scored(eval, ActionValues.meanMax(greedy.qValues(eval.outcome().initialObs(), episodes),
          greedy.model().q().actionCount()));
    }
  }

  /** Round k's fit on {@code dataset} under {@code config} from {@code start} (null: from zero), as phase {@code what}. */
  private Training.Outcome fit(int k, Dataset dataset, Training.Config config, ModelBundle.Loaded start, String what) {
    listener.phase(k, what, config.iterations() * config.ensemble(), "iterations");
    return Training.fit(dataset, config, start, paths.modelOf(k), false,
        it -> listener.advance(String.format("loss %.4g", it.trainLoss())));
  }

  /** An evaluation's episode returns (what rounds are scored by), lengths (reported beside them) and episodes. */
  private record Scores(Stats.Summary returns, Stats.Summary lengths, Evaluation.Outcome outcome) {}

  private Scores evaluate(Policy policy, int evalRound, int round, String what) {
    listener.phase(round, what, settings.evalEpisodes(), "episodes");
    Evaluation.Outcome o = Evaluation.run(policy, settings.envId(), settings.evalEpisodes(), settings.envs(),
        settings.seed(), evalRound, i -> listener.advance(null));
    return new Scores(Stats.summarize(o.returns()),
        Stats.summarize(Arrays.stream(o.lengths()).asDoubleStream().toArray()), o);
  }

  /**
   * The round with the highest mean evaluation return; ties go to the later round, trained on more data. By return,
   * not length: with a reward of -1 per step (MountainCar, Acrobot) the longest episodes are the worst.
   */
  static RoundRecord best(List<RoundRecord> rounds) {
    RoundRecord best = rounds.get(0);
    for (RoundRecord r : rounds) {
      if (r.evalMeanReturn() >= best.evalMeanReturn()) {
        best = r;
      }
    }
    return best;
  }

  /**
   * Each round's greedy value estimated by FQE on the held-out episodes of all the run's data: the episodes every
   * round's fit held out (the same seed and files, so the same episodes), which no model was fitted on.
   */
  private Selection opeSelection(List<RoundRecord> rounds) {
    List<String> inputs = rounds.stream().map(r -> paths.root().resolve(r.dataset()).toString()).toList();
    Training.Config training = settings.training();
    TrainingData.Split split = TrainingData.decode(Dataset.open(inputs, ColumnMapping.BATCHQ, null))
        .split(training.validationFraction(), training.seed());
    if (split.valid() == null) {
      throw new BadInputException(paths.manifestPath(), "no episode is held out to score the rounds on; raise"
          + " --validation-fraction or collect more episodes");
    }
    double gamma = training.gamma();
    Fqi.Schedule schedule = new Fqi.Schedule(Fqe.iterationsFor(gamma), gamma, true, 1);
    List<Double> values = new ArrayList<>();
    for (RoundRecord r : rounds) {
      listener.phase(r.round(), "FQE on held-out episodes", schedule.iterations(), "iterations");
      try (GreedyPolicy greedy = GreedyPolicy.load(paths.root().resolve(r.model()));
          Fqe.Fit fit = Fqe.fit(split.valid(), greedy, schedule, Fqe.learnerFor(training.learner()), null,
              it -> listener.advance(null))) {
        values.add(fit.estimate());
      }
    }
    int chosen = 0;
    for (int k = 0; k < values.size(); k++) {
      chosen = values.get(k) >= values.get(chosen) ? k : chosen; // ties to the later round, as online
    }
    return new Selection(rounds.get(chosen), values, split.validEpisodes());
  }

  /** The chosen round, with each round's FQE estimate (null when chosen online) and the episodes it rests on. */
  private record Selection(RoundRecord round, List<Double> opeValues, Long opeEpisodes) {}

  /** Copies the best round's model to {@code best} and re-scores it on evaluation seeds it was not chosen on. */
  private RunManifest.Best keepBest(List<RoundRecord> rounds) {
    Selection selection = RunSettings.OPE.equals(settings.select()) ? opeSelection(rounds)
        : new Selection(best(rounds), null, null);
    RoundRecord best = selection.round();
    copyModel(paths.root().resolve(best.model()), paths.bestModel());
    Scores rescored;
    try (GreedyPolicy greedy = GreedyPolicy.load(paths.bestModel())) {
      rescored = evaluate(greedy, RESCORE_ROUND, best.round(), "re-score best");
    }
    return new RunManifest.Best(best.round(), paths.relative(paths.bestModel()), best.evalMean(),
        rescored.lengths().mean(), rescored.lengths().ci95(), rescored.lengths().n(), best.evalMeanReturn(),
        rescored.returns().mean(), rescored.returns().ci95(), settings.select() == null ? RunSettings.ONLINE
        : settings.select(), selection.opeValues(), selection.opeEpisodes());
  }

  /** Copies a model bundle's files to {@code to}, replacing it, published whole or not at all. */
  private static void copyModel(Path from, Path to) {
    try (AtomicOutput out = AtomicOutput.begin(to, true)) {
      Files.createDirectories(out.path());
      try (var files = Files.list(from)) {
        for (Path f : files.toList()) {
          Files.copy(f, out.path().resolve(f.getFileName()));
        }
      }
      out.publish();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + to + ": " + e.getMessage(), e);
    }
  }

  private void save(RunManifest manifest) {
    try (AtomicOutput out = AtomicOutput.begin(paths.manifestPath(), true)) {
      Files.writeString(out.path(), Json.write(manifest));
      out.publish();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + paths.manifestPath() + ": " + e.getMessage(), e);
    }
  }

  public static RunManifest load(Path manifest) {
    try {
      RunManifest m = Json.MAPPER.readValue(manifest.toFile(), RunManifest.class);
      if (!RunManifest.FORMAT.equals(m.format()) || m.formatVersion() > RunManifest.FORMAT_VERSION) {
        throw new BadInputException(manifest, "not a run manifest this batchq reads");
      }
      return m;
    } catch (IOException e) {
      throw new BadInputException(manifest, "not a readable run manifest (" + e.getMessage().lines().findFirst()
          .orElse("") + ")");
    }
  }

  private static void delete(List<Path> paths) {
    for (Path p : paths) {
      try {
        AtomicOutput.deleteRecursively(p);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove " + p + ": " + e.getMessage(), e);
      }
    }
  }

}
