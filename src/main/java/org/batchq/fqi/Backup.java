package org.batchq.fqi;

import org.batchq.runtime.ActionValues;

/**
 * How a target bootstraps from Q at the next state, V(s') in y = r + gamma * (1 - terminated) * V(s'):
 *
 * <ul>
 *   <li>{@link Max}: V(s') = max_a Q(s', a), the Bellman optimality backup (Fitted Q Iteration);
 *   <li>{@link Expectation}: V(s') = sum_a pi(a | s') Q(s', a) for a fixed target policy pi given as an action
 *       distribution per next state (a greedy target is one-hot, an epsilon-greedy one a mixture): the backup of
 *       Fitted Q Evaluation.
 * </ul>
 *
 * The distribution is plain arrays, never a policy object: the policies that produce them sit above this package.
 */
public sealed interface Backup permits Backup.Max, Backup.Expectation {
  Backup MAX = new Max();

  /** V(s'_row) from Q(s'_row, .), the row-th row of {@code nextQ} (rows x actions, row-major). */
  float value(float[] nextQ, int row, int actions);

  /** The Bellman target: the reward alone on termination (a truncated row still has a future), else r + gamma V. */
  static float target(float reward, boolean terminal, double gamma, float nextValue) {
    return terminal ? reward : (float) (reward + gamma * nextValue);
  }

  /** max_a Q(s', a). */
  record Max() implements Backup {
    @Override
    public float value(float[] nextQ, int row, int actions) {
      return ActionValues.max(nextQ, row, actions);
    }
  }

  /**
   * sum_a pi(a | s') Q(s', a), summed in action order in float like the max.
   *
   * @param probabilities pi(a | s'_i) for every next state i of the data it belongs to, row-major rows x actions
   */
  record Expectation(float[] probabilities) implements Backup {
    @Override
    public float value(float[] nextQ, int row, int actions) {
      float v = 0;
      for (int a = 0; a < actions; a++) {
        v += probabilities[row * actions + a] * nextQ[row * actions + a];
      }
      return v;
    }
  }
}
