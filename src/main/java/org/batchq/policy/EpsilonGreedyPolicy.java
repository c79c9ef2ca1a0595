package org.batchq.policy;

import org.batchq.env.Rng;
import org.batchq.io.InvalidSettingException;

/**
 * With probability epsilon a uniformly random action, otherwise the greedy one. The probability recorded for the
 * chosen action is exact: 1 - eps + eps/|A| for the greedy action, eps/|A| for any other.
 */
public final class EpsilonGreedyPolicy implements Policy {
  private final GreedyPolicy greedy;
  private final double epsilon;
  private final int actionCount;

  public EpsilonGreedyPolicy(GreedyPolicy greedy, double epsilon) {
    checkEpsilon(epsilon);
    this.greedy = greedy;
    this.epsilon = epsilon;
    this.actionCount = greedy.model().q().actionCount();
  }

  /** The one check of an exploration rate, for the policy and for settings that will build it later. */
  public static void checkEpsilon(double epsilon) {
    InvalidSettingException.in("epsilon", epsilon, 0, true, 1, true);
  }

  @Override
  public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
    greedy.act(obs, rows, rngs, actions, probabilities);
    float greedyProb = greedyProbability();
    float otherProb = otherProbability();
    for (int i = 0; i < rows; i++) {
      // Always two draws per step, so an episode's stream advances the same way whatever epsilon picks.
      boolean explore = rngs[i].nextDouble() < epsilon;
      int random = rngs[i].nextInt(actionCount);
      int greedyAction = actions[i];
      actions[i] = explore ? random : greedyAction;
      probabilities[i] = actions[i] == greedyAction ? greedyProb : otherProb;
    }
  }

  @Override
  public void distribution(float[] obs, int rows, float[] out) {
    int[] greedyActions = greedy.act(obs, rows);
    java.util.Arrays.fill(out, 0, rows * actionCount, otherProbability());
    for (int i = 0; i < rows; i++) {
      out[i * actionCount + greedyActions[i]] = greedyProbability();
    }
  }

  private float greedyProbability() {
    return (float) (1 - epsilon + epsilon / actionCount);
  }

  private float otherProbability() {
    return (float) (epsilon / actionCount);
  }

  @Override
  public String describe() {
    return greedy.describe("epsilon-greedy").put("epsilon", epsilon).toString();
  }
}
