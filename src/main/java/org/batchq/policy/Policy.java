package org.batchq.policy;

import org.batchq.env.Rng;

/**
 * Chooses actions for many environments at once. Every random choice for row i comes from {@code rngs[i]}, the
 * action stream of the episode that row belongs to, so an episode's actions do not depend on which other
 * episodes are stepped beside it.
 */
public interface Policy {
  /**
   * Writes an action for each of {@code rows} observations ({@code obs} is row-major) and the probability this
   * policy gave that action (recorded as {@code behavior_prob}).
   */
  void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities);

  /**
   * This policy's whole action distribution pi(. | s) at each of {@code rows} observations, row-major rows x
   * actions into {@code out}: what off-policy evaluation weighs and backs up with. The value at the action {@link
   * #act} would record is the very float it records, so a target that is the behaviour policy has ratios of
   * exactly 1.
   */
  void distribution(float[] obs, int rows, float[] out);

  /** The distribution of a deterministic policy that chose {@code actions}: one-hot rows. */
  static void oneHot(int[] actions, int rows, int actionCount, float[] out) {
    java.util.Arrays.fill(out, 0, rows * actionCount, 0f);
    for (int i = 0; i < rows; i++) {
      out[i * actionCount + actions[i]] = 1f;
    }
  }

  /** This policy as JSON, recorded in a dataset's metadata as its behaviour policy. */
  String describe();
}
