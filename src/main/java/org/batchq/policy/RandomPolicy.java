package org.batchq.policy;

import org.batchq.env.Rng;

/** The uniform random policy: every action with probability 1/|A|. */
public record RandomPolicy(int actionCount) implements Policy {
  @Override
  public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
    float p = 1.0f / actionCount;
    for (int i = 0; i < rows; i++) {
      actions[i] = rngs[i].nextInt(actionCount);
      probabilities[i] = p;
    }
  }

  @Override
  public void distribution(float[] obs, int rows, float[] out) {
    java.util.Arrays.fill(out, 0, rows * actionCount, 1.0f / actionCount);
  }

  @Override
  public String describe() {
    return "{\"type\":\"random\"}";
  }
}
