package org.batchq.env;

/**
 * One environment of a plugin, the simple way to write one: batchq steps copies of it in lockstep ({@link
 * Lockstep}) and applies the spec's time limit, so {@link #step} says only whether the episode terminated (a
 * failure or a goal, after which nothing follows). Draw every random number from the {@link Rng} given to
 * {@link #reset}, keep it if {@code step} is random too, and the same seed gives the same episodes.
 */
public interface Environment {
  /** Starts an episode: draws an initial state from {@code rng} and writes its observation into {@code obs}. */
  void reset(Rng rng, float[] obs);

  /** Applies {@code action}, overwrites {@code obs} with the next observation, and says what the step gave. */
  Step step(int action, float[] obs);

  /**
   * @param reward the step's reward
   * @param terminated whether the episode ended in a state with no future (not because of the time limit)
   */
  record Step(float reward, boolean terminated) {}
}
