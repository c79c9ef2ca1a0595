package org.batchq.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.batchq.env.EnvSpec;
import org.batchq.env.Environments;
import org.batchq.io.Table;
import org.batchq.loop.RoundRecord;
import org.batchq.loop.RunLoop;
import org.batchq.loop.RunManifest;
import org.batchq.loop.RunPaths;
import org.batchq.loop.RunSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The iterative batch-RL loop: collect, fit, collect again with the new policy, for some rounds.",
        "Keeps every round's dataset and model, plots to plots/NAME/, and the run manifest in runs/NAME.json."})
final class RunCommand implements Callable<Integer> {
  @Option(names = "--rounds", defaultValue = "10", description = "Rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--episodes", defaultValue = "100", description = "Episodes collected per round (default: ${DEFAULT-VALUE}).")
  int episodes;

  @Option(names = "--step-budget", defaultValue = "15000", paramLabel = "N",
      description = "Stop a round's collection at the first episodes that reach N transitions, so rounds of long"
          + " episodes cost no more than N rows; 0: no budget (default: ${DEFAULT-VALUE}).")
  long stepBudget;

  @Option(names = "--grow-batch", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Fit each round on all data so far (default) or, with --no-grow-batch, on the round's alone.")
  boolean growBatch;

  @Option(names = "--carry-q", negatable = true,
      description = "Start each round's FQI from the previous round's Q-function instead of zero (default: on for"
          + " single and multiple, where it holds what they learn; off for neural, whose Q diverged;"
          + " docs/RESULTS.md).")
  Boolean carryQ;

  /**
   * multiple's default --average-iterates: its two boosters overestimate separately and carried Q compounds the
   * error round after round unless each target bootstraps from a mean of fits (docs/RESULTS.md).
   */
  static final int MULTIPLE_AVERAGE_ITERATES = 5;

  /**
   * single's default --advantage-learning: late in the loop its actions differ by less than the trees' error, and
   * widening the gaps ended 10 of 10 choosing seeds (1-10) and 9 of 10 measuring seeds (100-109) at 475 or more,
   * against 8 and 8 with plain targets (docs/RESULTS.md).
   */
  static final double SINGLE_ADVANTAGE_LEARNING = 0.5;

  @Option(names = "--epsilon", defaultValue = "0.1",
      description = "Exploration of the epsilon-greedy behaviour policy in rounds 1.. (default: ${DEFAULT-VALUE}).")
  double epsilon;

  @Option(names = "--hold", paramLabel = "N",
      description = "Hold each exploratory action for a uniform 1..N steps (round 0's random ones too): temporally"
          + " extended exploration, for goals that one-step dithering never reaches (docs/run.md); 1: no holds"
          + " (default: the environment's, 1 except MountainCar-v0 50 and Acrobot-v1 20).")
  Integer hold;

  @Option(names = "--guard-refit", defaultValue = RunSettings.REFIT_ZERO, paramLabel = "HOW",
      description = "When a round's fit from the carried Q leaves the range every return lies in, fit it again"
          + " from the same Q with targets clipped to that range (clipped), from the Q of the best round before the"
          + " carried one (best), either then from zero if that fails too, or from zero at once (zero) (default:"
          + " ${DEFAULT-VALUE}; docs/run.md).")
  String guardRefit;

  @Option(names = "--rollback", negatable = true, defaultValue = "false", fallbackValue = "true",
      description = "Keep the best earlier round's model when a round's own does significantly worse than it on the"
          + " same evaluation episodes (paired, at 5%%); it can freeze a run on the kept model, so it is off by"
          + " default (docs/run.md).")
  boolean rollback;

  @Option(names = "--eval-episodes", defaultValue = "100",
      description = "Greedy evaluation episodes per round (default: ${DEFAULT-VALUE}).")
  int evalEpisodes;

  @Mixin LockstepOption lockstep;

  @Option(names = "--env", defaultValue = Environments.DEFAULT, description = "Environment (default: ${DEFAULT-VALUE}).")
  String env;

  @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--name", description = "Run name (default: ALGORITHM-seedSEED).")
  String name;

  @Option(names = "--dir", defaultValue = ".",
      description = "Where datasets/, models/, plots/ and runs/ are (default: the current directory).")
  Path dir;

  @Option(names = "--force", description = "Start over, removing an existing run of this name.")
  boolean force;

  @Option(names = "--resume", description = "Continue an interrupted run from its last complete round.")
  boolean resume;

  @Option(names = "--select", defaultValue = RunSettings.ONLINE, paramLabel = "HOW",
      description = "Choose 'best' by online (each round's evaluation return, the default) or ope (FQE on held-out"
          + " episodes of the run's own data, no simulator needed to choose; the online score is reported beside it).")
  String select;

  @Mixin FitOptions fit;

  @Override
  public Integer call() {
    if (force && resume) {
      throw new IllegalArgumentException("--force and --resume exclude each other");
    }
    int envs = lockstep.envs();
    var training = fit.config(seed, chosen -> switch (chosen) {
      case "multiple" -> Map.of("average_iterates", MULTIPLE_AVERAGE_ITERATES);
      case "single" -> Map.of("advantage_learning", SINGLE_ADVANTAGE_LEARNING);
      default -> Map.of();
    });
    boolean carry = carryQ != null ? carryQ : !"neural".equals(training.algorithm());
    String runName = name != null ? name : training.algorithm() + "-seed" + seed;
    // Unknown ids fail here, before any work; a run resumed without its plugin is told which jar to load.
    Path recorded = new RunPaths(dir, runName).manifestPath();
    EnvSpec spec = Environments.spec(env, resume && Files.exists(recorded) ? RunLoop.load(recorded).envPlugin() : null);
    RunSettings settings = new RunSettings(runName, env, rounds, episodes, stepBudget, growBatch, carry, epsilon,
        evalEpisodes, envs, seed, training, select, hold != null ? hold : spec.explorationHold(),
        guardRefit, rollback);
    RunManifest done;
    try (PhaseProgress progress = new PhaseProgress()) {
      RunLoop loop = new RunLoop(dir, settings, progress);
      done = loop.run(force ? RunLoop.Mode.FORCE : resume ? RunLoop.Mode.RESUME : RunLoop.Mode.NEW);
      progress.close();
      RunManifest.Best best = done.best();
      List<Double> ope = best.opeValues();
      List<String> columns = new ArrayList<>(List.of("round", "rows", "fit_rows", "fit_s", "train_loss",
          "valid_residual", "behavior_return", "eval_return", "eval_min", "eval_max", "eval_length", "q_s0",
          "disc_return"));
      if (ope != null) {
        columns.add("fqe_heldout");
      }
      columns.add("guard");
      Table t = new Table(columns.toArray(String[]::new));
      for (RoundRecord r : done.rounds()) {
        List<Object> row = new ArrayList<>(java.util.Arrays.asList(r.round(), r.rows(), r.fitRows(), r.fitSeconds(),
            r.trainLoss(), r.validResidual(), r.behaviorMeanReturn(), r.evalMeanReturn(), r.evalMinReturn(),
            r.evalMaxReturn(), r.evalMean(), r.evalInitialMaxQ(), r.evalDiscountedReturn()));
        if (ope != null) {
          row.add(ope.get(r.round()));
        }
        row.add(r.intervention());
        t.row(row.toArray());
      }
      System.out.print(t.render(Table.Format.TABLE));
      if (ope != null) {
        System.out.printf("best chosen by FQE on %d held-out episodes (fqe_heldout, discounted); disc_return is the"
            + " online truth beside it%n", best.opeEpisodes());
      }
      System.out.printf("random policy: return %.1f (%.1f steps); best round %d (return %.1f) kept as %s, re-scored on"
          + " fresh seeds: %.1f +- %.1f%nrun manifest %s; plots in %s: episode-return.png, episode-length.png,"
          + " value-vs-return.png, bellman-loss.png (%.0f s)%n", done.randomMeanReturn(), done.randomMean(),
          best.round(), best.evalMeanReturn(), loop.paths().bestModel(), best.rescoredMeanReturn(),
          best.rescoredCi95Return(), loop.paths().manifestPath(), loop.paths().plotDir(), done.seconds());
    }
    return Main.OK;
  }

  /** One progress bar (or log line series) per phase of a round. */
  private static final class PhaseProgress implements RunLoop.Listener, AutoCloseable {
    private Progress current;

    @Override
    public void phase(int round, String what, int count, String unit) {
      close();
      current = Progress.start(round < 0 ? what : "round " + round + " " + what, count, unit);
    }

    @Override
    public void advance(String detail) {
      current.step(1, detail);
    }

    @Override
    public void close() {
      if (current != null) {
        current.close();
        current = null;
      }
    }
  }
}
