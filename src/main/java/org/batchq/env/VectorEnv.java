package org.batchq.env;

/**
 * N copies of one environment stepped in lockstep over primitive arrays (structure of arrays).
 *
 * <p>The time limit is part of the environment, as Gymnasium's {@code TimeLimit} wrapper is: {@link #step}
 * reports termination (a failure or goal, no bootstrap) and truncation (the step limit, bootstrap) separately.
 * Resetting is the caller's decision, slot by slot, so that a finished slot's final observation is handed back
 * before any reset overwrites it.
 */
public interface VectorEnv {
  EnvSpec spec();

  /** Number of slots. */
  int size();

  /** Draws a new initial state for {@code slot} from {@code rng} and writes its observation at {@code obs[offset..]}. */
  void reset(int slot, Rng rng, float[] obs, int offset);

  /**
   * Steps every slot with {@code actions[slot]}; writes each slot's next observation (size x observationSize),
   * reward and flags. Slots that already ended are stepped too and their results are meaningless: callers
   * reset or ignore them.
   */
  void step(int[] actions, float[] nextObs, float[] rewards, boolean[] terminated, boolean[] truncated);
}
