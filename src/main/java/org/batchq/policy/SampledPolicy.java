package org.batchq.policy;

import org.batchq.env.Rng;
import org.batchq.learner.Learners;

/**
 * Draws each action from a behaviour-cloning bundle's own distribution pi(a | s) instead of taking its most likely
 * action: {@code collect --policy sample --model models/bc} reproduces the cloned behaviour, exploration included.
 * One draw per step from the episode's stream; the probability recorded is the one drawn from.
 */
public final class SampledPolicy implements Policy {
  private final GreedyPolicy model;
  private final int actionCount;

  public SampledPolicy(GreedyPolicy model) {
    String algorithm = model.model().manifest().algorithm();
    if (!Learners.BEHAVIOR_CLONING.equals(algorithm)) {
      throw new IllegalArgumentException("--policy sample draws from a behaviour-cloning bundle's probabilities;"
          + " " + model.model().name() + " is a '" + algorithm + "' model, whose values are not probabilities");
    }
    this.model = model;
    this.actionCount = model.actionCount();
  }

  @Override
  public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
    float[] p = new float[rows * actionCount];
    distribution(obs, rows, p);
    for (int i = 0; i < rows; i++) {
      double u = rngs[i].nextDouble();
      int a = 0;
      double cumulative = p[i * actionCount];
      while (a < actionCount - 1 && u >= cumulative) {
        a++;
        cumulative += p[i * actionCount + a];
      }
      actions[i] = a;
      probabilities[i] = p[i * actionCount + a];
    }
  }

  @Override
  public void distribution(float[] obs, int rows, float[] out) {
    System.arraycopy(model.qValues(obs, rows), 0, out, 0, rows * actionCount);
  }

  @Override
  public String describe() {
    return model.describe("sample").toString();
  }
}
