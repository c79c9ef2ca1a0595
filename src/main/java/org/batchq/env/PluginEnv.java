package org.batchq.env;

import java.nio.file.Path;

/** A plugin's vector, whose failures become one line naming the plugin instead of a stack trace of its code. */
final class PluginEnv implements VectorEnv {
  private final VectorEnv env;
  private final Path source;

  PluginEnv(VectorEnv env, Path source) {
    this.env = env;
    this.source = source;
  }

  @Override
  public EnvSpec spec() {
    return env.spec();
  }

  @Override
  public int size() {
    return env.size();
  }

  @Override
  public void reset(int slot, Rng rng, float[] obs, int offset) {
    Environments.guarded(source, spec().id() + " reset", () -> {
      env.reset(slot, rng, obs, offset);
      return null;
    });
  }

  @Override
  public void step(int[] actions, float[] nextObs, float[] rewards, boolean[] terminated, boolean[] truncated) {
    Environments.guarded(source, spec().id() + " step", () -> {
      env.step(actions, nextObs, rewards, terminated, truncated);
      return null;
    });
  }
}
