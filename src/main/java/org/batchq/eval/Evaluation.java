package org.batchq.eval;

import org.batchq.policy.Policy;
import org.batchq.rollout.Rollout;

/**
 * Scores a policy online: episodes in the simulator from the seed's initial states. Every policy evaluated with
 * the same seed starts from the same sequence of initial states (the reset stream does not depend on the policy),
 * so two evaluations can be compared episode by episode.
 */
public final class Evaluation {
  /** Per-episode outcomes in episode order, and the policy steps per second achieved. */
  public record Outcome(double[] returns, int[] lengths, boolean[] truncated, double stepsPerSecond) {}

  private Evaluation() {}

  public static Outcome run(Policy policy, String envId, int episodes, int envs, long seed, int round,
      java.util.function.IntConsumer onEpisode) {
    double[] returns = new double[episodes];
    int[] lengths = new int[episodes];
    boolean[] truncated = new boolean[episodes];
    long[] steps = {0};
    long start = System.nanoTime();
    Rollout.run(new Rollout.Plan(envId, episodes, envs, seed, round, 0), policy, e -> {
      int i = (int) e.id();
      returns[i] = e.totalReward();
      lengths[i] = e.length();
      truncated[i] = e.truncated();
      steps[0] += e.length();
      onEpisode.accept(i);
    });
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Outcome(returns, lengths, truncated, steps[0] / seconds);
  }
}
