package org.batchq.eval;

import org.batchq.policy.Policy;
import org.batchq.rollout.Rollout;

/**
 * Scores a policy online: episodes in the simulator from the seed's initial states. Every policy evaluated with
 * the same seed starts from the same sequence of initial states (the reset stream does not depend on the policy),
 * so two evaluations can be compared episode by episode.
 */
public final class Evaluation {
  /**
   * Per-episode outcomes in episode order, and the policy steps per second achieved.
   *
   * @param initialObs each episode's first observation, row-major (episodes x observation size)
   * @param rewards each episode's rewards, step by step
   */
  public record Outcome(double[] returns, int[] lengths, boolean[] truncated, double stepsPerSecond,
      float[] initialObs, float[][] rewards) {

    /** Each episode's discounted return at {@code gamma}: sum over t of gamma^t r_t. */
    public double[] discountedReturns(double gamma) {
      double[] out = new double[rewards.length];
      for (int i = 0; i < rewards.length; i++) {
        double g = 0;
        for (int t = rewards[i].length - 1; t >= 0; t--) {
          g = rewards[i][t] + gamma * g;
        }
        out[i] = g;
      }
      return out;
    }
  }

  private Evaluation() {}

  public static Outcome run(Policy policy, String envId, int episodes, int envs, long seed, int round,
      java.util.function.IntConsumer onEpisode) {
    double[] returns = new double[episodes];
    int[] lengths = new int[episodes];
    boolean[] truncated = new boolean[episodes];
    int d = org.batchq.env.Environments.spec(envId).observationSize();
    float[] initialObs = new float[episodes * d];
    float[][] rewards = new float[episodes][];
    long[] steps = {0};
    long start = System.nanoTime();
    Rollout.run(new Rollout.Plan(envId, episodes, envs, seed, round, 0), policy, e -> {
      int i = (int) e.id();
      returns[i] = e.totalReward();
      lengths[i] = e.length();
      truncated[i] = e.truncated();
      System.arraycopy(e.obs(), 0, initialObs, i * d, d);
      rewards[i] = java.util.Arrays.copyOf(e.rewards(), e.length());
      steps[0] += e.length();
      onEpisode.accept(i);
    });
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Outcome(returns, lengths, truncated, steps[0] / seconds, initialObs, rewards);
  }
}
