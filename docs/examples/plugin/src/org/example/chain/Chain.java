package org.example.chain;

import org.batchq.env.EnvSpec;
import org.batchq.env.Environment;
import org.batchq.env.EnvironmentProvider;
import org.batchq.env.Rng;

/**
 * A slippery corridor of 10 cells: an example of an environment of your own for batchq (docs/environments.md).
 * The agent starts in one of the left 3 cells; action 1 moves right and action 0 moves left, except that with
 * probability 0.1 the floor slips and the agent stays where it is. Reaching the right end gives reward 1 and ends
 * the episode; every other step gives 0. Episodes are cut at 50 steps. The observation is the position scaled
 * to [0, 1].
 */
public final class Chain implements EnvironmentProvider {
  static final int CELLS = 10;

  @Override
  public EnvSpec spec() {
    // id, observation size, action count, step limit, the mean return that counts as solved
    return new EnvSpec("Chain-v0", 1, 2, 50, 0.9);
  }

  @Override
  public Environment environment() {
    return new Environment() {
      private Rng rng;
      private int position;

      @Override
      public void reset(Rng rng, float[] obs) {
        this.rng = rng; // every random number comes from batchq's seeded stream, so a seed repeats the episodes
        position = rng.nextInt(3);
        obs[0] = position / (float) (CELLS - 1);
      }

      @Override
      public Step step(int action, float[] obs) {
        if (rng.nextDouble() >= 0.1) {
          position = Math.max(0, position + (action == 1 ? 1 : -1));
        }
        obs[0] = position / (float) (CELLS - 1);
        boolean goal = position == CELLS - 1;
        return new Step(goal ? 1f : 0f, goal);
      }
    };
  }
}
