package org.batchq.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.batchq.env.EnvSpec;
import org.batchq.env.Environments;
import org.batchq.model.ModelBundle;
import org.batchq.policy.GreedyPolicy;
import org.batchq.policy.HeldExploration;
import org.batchq.policy.Policy;
import org.batchq.policy.SampledPolicy;
import org.batchq.rollout.Collection;
import org.batchq.rollout.Rollout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "collect", mixinStandardHelpOptions = true,
    description = "Roll out a policy in the simulator and write every transition to a Parquet dataset.")
final class CollectCommand implements Callable<Integer> {
  @Option(names = "--env", description = "Environment id (default: the --model's, else CartPole-v1).")
  String env;

  @Option(names = "--episodes", required = true, description = "Number of complete episodes to collect.")
  int episodes;

  @Option(names = "--step-budget", defaultValue = "0", paramLabel = "N",
      description = "Stop at the first episodes (in episode order) that reach N transitions, even if fewer than"
          + " --episodes; 0: no budget (default: ${DEFAULT-VALUE}).")
  long stepBudget;

  @Option(names = "--policy", defaultValue = "random",
      description = "Behaviour policy: random (default), epsilon-greedy (needs --model) or sample (draws from a"
          + " behaviour-cloning --model's probabilities).")
  String policy;

  @Option(names = "--model", description = "Model bundle for --policy epsilon-greedy or sample.")
  Path model;

  @Option(names = "--epsilon", defaultValue = "0.1",
      description = "Exploration rate of epsilon-greedy, in [0, 1] (default: ${DEFAULT-VALUE}).")
  double epsilon;

  @Option(names = "--hold", paramLabel = "N",
      description = "Hold each random action for a uniform 1..N steps (temporally extended exploration, for random"
          + " and epsilon-greedy; docs/run.md); 1: no holds (default: the environment's, 1 except MountainCar-v0 50"
          + " and Acrobot-v1 20).")
  Integer hold;

  @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true,
      description = "Output: a .parquet file, or a directory that receives part files.")
  Path out;

  @Mixin LockstepOption lockstep;

  @Option(names = "--force", description = "Replace an existing output.")
  boolean force;

  @Mixin CompiledTreesOption compiledTrees;

  @Override
  public Integer call() {
    if (!List.of("random", "epsilon-greedy", "sample").contains(policy)) {
      throw new IllegalArgumentException("unknown --policy '" + policy + "' (known: random, epsilon-greedy, sample)");
    }
    if ("random".equals(policy) && model != null) {
      throw new IllegalArgumentException("--model goes with --policy epsilon-greedy or sample");
    }
    try (GreedyPolicy greedy = "random".equals(policy) ? null : loadModel()) {
      // A model says which environment it acts in; --env, if given, must agree with it.
      EnvSpec trained = greedy == null ? null : ModelBundle.simulatedEnvironment(model, greedy.model().manifest());
      EnvSpec spec = env != null ? Environments.spec(env) : trained != null ? trained
          : Environments.spec(Environments.DEFAULT);
      if (greedy != null) {
        greedy.model().requireFits(spec);
      }
      if ("sample".equals(policy) && hold != null && hold != 1) {
        throw new IllegalArgumentException("--hold is for --policy random and epsilon-greedy: sample draws every"
            + " action from the model");
      }
      Policy behavior = "sample".equals(policy) ? new SampledPolicy(greedy)
          : HeldExploration.of(greedy, epsilon, hold != null ? hold : spec.explorationHold(), spec.actionCount());
      return collect(spec, behavior);
    }
  }

  private GreedyPolicy loadModel() {
    if (model == null) {
      throw new IllegalArgumentException("--policy " + policy + " needs --model models/NAME");
    }
    return compiledTrees.apply(GreedyPolicy.load(model));
  }

  private int collect(EnvSpec spec, Policy behavior) {
    long start = System.nanoTime();
    Collection.Result result;
    try (Progress progress = Progress.start("collect", episodes, "episodes")) {
      result = Collection.write(new Rollout.Plan(spec.id(), episodes, lockstep.envs(), seed, 0, 0, stepBudget),
          behavior, out, force, e -> progress.step(1, null));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("wrote %d episodes, %d transitions to %s in %.2f s (%.0f transitions/s)%n",
        result.lengths().length, result.rows(), result.path(), seconds, result.rows() / seconds);
    return Main.OK;
  }
}
