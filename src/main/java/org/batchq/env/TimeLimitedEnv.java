package org.batchq.env;

/**
 * What every simulator shares, as Gymnasium's {@code TimeLimit} wrapper does for its environments: the spec, and a
 * step count per slot that truncates an episode when it reaches the spec's limit (truncation is not failure).
 */
abstract class TimeLimitedEnv implements VectorEnv {
  private final EnvSpec spec;
  private final int[] elapsed;

  TimeLimitedEnv(EnvSpec spec, int size) {
    this.spec = spec;
    this.elapsed = new int[size];
  }

  @Override
  public final EnvSpec spec() {
    return spec;
  }

  @Override
  public final int size() {
    return elapsed.length;
  }

  /** Sets the steps a slot has taken since its reset (0 on reset; tests start from recorded states). */
  final void setElapsed(int slot, int steps) {
    elapsed[slot] = steps;
  }

  /** Counts one step of {@code slot}; true when it reaches the time limit: the step is truncated. */
  final boolean tick(int slot) {
    return ++elapsed[slot] >= spec.maxEpisodeSteps();
  }
}
