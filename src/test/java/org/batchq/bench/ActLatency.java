package org.batchq.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.batchq.policy.RandomPolicy;
import org.batchq.rollout.Rollout;
import org.batchq.runtime.Bundle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: one observation's greedy action through the runtime artifact ({@code Bundle.act}), as a service calls it,
 * each call on the next of 1,000 states CartPole visits so that no branch history is learned for one state. Run
 * by {@code make bench} at the end of its {@code evaluate} section, on the bundle that section fits, with its trees
 * walked from their arrays (the default) and compiled to bytecode ({@code Bundle.withCompiledTrees}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ActLatency {
  @Param("target/bench/eval-model")
  public String bundle;

  @Param({"arrays", "compiled"})
  public String trees;

  private Bundle loaded;
  private float[][] states;
  private int next;

  @Setup
  public void load() {
    loaded = trees.equals("compiled") ? Bundle.load(Path.of(bundle)).withCompiledTrees() : Bundle.load(Path.of(bundle));
    List<float[]> visited = new ArrayList<>();
    Rollout.run(new Rollout.Plan("CartPole-v1", 100, 16, 9, 0, 0), new RandomPolicy(2), e -> {
      for (int t = 0; t < e.length() && visited.size() < 1_000; t++) {
        visited.add(Arrays.copyOfRange(e.obs(), t * 4, t * 4 + 4));
      }
    });
    states = visited.toArray(float[][]::new);
  }

  @Benchmark
  public int act() {
    float[] s = states[next];
    next = next + 1 == states.length ? 0 : next + 1;
    return loaded.act(s);
  }
}
