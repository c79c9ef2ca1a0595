package org.batchq.env;

import java.util.function.Supplier;

/** A vector of a plugin's single {@link Environment}s, stepped one after another, with the spec's time limit. */
final class Lockstep extends TimeLimitedEnv {
  private final Environment[] slots;
  private final float[] scratch;

  Lockstep(EnvSpec spec, int size, Supplier<Environment> factory) {
    super(spec, size);
    slots = new Environment[size];
    for (int i = 0; i < size; i++) {
      slots[i] = factory.get();
    }
    scratch = new float[spec.observationSize()];
  }

  @Override
  public void reset(int slot, Rng rng, float[] obs, int offset) {
    slots[slot].reset(rng, scratch);
    System.arraycopy(scratch, 0, obs, offset, scratch.length);
    setElapsed(slot, 0);
  }

  @Override
  public void step(int[] actions, float[] nextObs, float[] rewards, boolean[] terminated, boolean[] truncated) {
    int d = scratch.length;
    for (int i = 0; i < slots.length; i++) {
      // An environment keeps its own state; it is handed a scratch array to write its next observation into.
      Environment.Step s = slots[i].step(actions[i], scratch);
      System.arraycopy(scratch, 0, nextObs, i * d, d);
      rewards[i] = s.reward();
      terminated[i] = s.terminated();
      truncated[i] = tick(i); // as Gymnasium's TimeLimit: both flags may hold
    }
  }
}
