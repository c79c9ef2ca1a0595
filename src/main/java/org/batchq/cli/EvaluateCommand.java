package org.batchq.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.batchq.env.Environments;
import org.batchq.eval.Evaluation;
import org.batchq.eval.Stats;
import org.batchq.io.Table;
import org.batchq.model.ModelBundle;
import org.batchq.policy.GreedyPolicy;
import org.batchq.policy.RandomPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Score saved policies greedily in the simulator, side by side.",
        "Every policy starts from the same initial states (same --seed), so differences are paired."})
final class EvaluateCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "MODEL",
      description = "Model bundle directories; the word 'random' adds the uniform random policy.")
  List<String> models = new ArrayList<>();

  @Option(names = "--episodes", defaultValue = "100", description = "Episodes per policy (default: ${DEFAULT-VALUE}).")
  int episodes;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial states (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin LockstepOption lockstep;

  @Option(names = "--env", description = "Environment when only 'random' is evaluated (default: the models').")
  String env;

  @Option(names = "--format", defaultValue = "table", description = "table (default), csv or json.")
  Table.Format format;

  @Mixin CompiledTreesOption compiledTrees;

  @Override
  public Integer call() {
    if (episodes < 2) {
      throw new IllegalArgumentException("--episodes must be at least 2 for an interval (got " + episodes + ")");
    }
    int envs = lockstep.envs();
    String envId = settleEnvironment();
    Table table = new Table("policy", "algorithm", "episodes", "mean", "ci95", "std", "min", "median", "max",
        "reach_limit", "steps_per_s", "diff_vs_first", "diff_ci95", "significant");
    double[] first = null;
    try (Progress progress = Progress.start("evaluate", (long) episodes * models.size(), "episodes")) {
      for (String name : models) {
        Evaluation.Outcome o;
        String algorithm;
        if ("random".equals(name)) {
          algorithm = "random";
          o = Evaluation.run(new RandomPolicy(Environments.spec(envId).actionCount()), envId, episodes, envs, seed, 0,
              i -> progress.step(1, null));
        } else {
          try (GreedyPolicy loaded = GreedyPolicy.load(Path.of(name))) {
            GreedyPolicy policy = compiledTrees.apply(loaded);
            policy.model().requireFits(Environments.spec(envId));
            algorithm = policy.model().manifest().algorithm();
            o = Evaluation.run(policy, envId, episodes, envs, seed, 0, i -> progress.step(1, null));
          }
        }
        Stats.Summary s = Stats.summarize(o.returns());
        long reached = 0;
        for (boolean t : o.truncated()) {
          reached += t ? 1 : 0;
        }
        Stats.Difference d = first == null ? null : Stats.paired(o.returns(), first);
        table.row(name, algorithm, episodes, s.mean(), s.ci95(), s.std(), s.min(), s.median(), s.max(),
            (double) reached / episodes, Math.round(o.stepsPerSecond()), d == null ? null : d.mean(),
            d == null ? null : d.ci95(), d == null ? null : d.significant() ? "yes" : "no");
        if (first == null) {
          first = o.returns();
        }
      }
    }
    System.out.print(table.render(format));
    if (format == Table.Format.TABLE && models.size() > 1) {
      System.out.println("diff_vs_first: paired mean difference in return to " + models.get(0)
          + " over the same initial states, with its 95% t-interval; 'no' = not significant at 5%.");
    }
    return Main.OK;
  }

  /** All models must be for one environment; 'random' takes it from them or from --env. */
  private String settleEnvironment() {
    String settled = env;
    for (String name : models) {
      if ("random".equals(name)) {
        continue;
      }
      var manifest = ModelBundle.manifest(Path.of(name));
      String id = ModelBundle.simulatedEnvironment(Path.of(name), manifest).id();
      if (settled != null && !settled.equals(id)) {
        throw new IllegalArgumentException(name + " was trained for " + id + ", not " + settled
            + ": compare models of one environment");
      }
      settled = id;
    }
    if (settled == null) {
      settled = Environments.DEFAULT;
    }
    Environments.spec(settled); // unknown ids fail here, before any work
    return settled;
  }
}
