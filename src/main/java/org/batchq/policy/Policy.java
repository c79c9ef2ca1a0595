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

  /** This policy as JSON, recorded in a dataset's metadata as its behaviour policy. */
  String describe();
}
