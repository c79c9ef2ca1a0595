package org.batchq.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.batchq.env.Rng;
import org.batchq.testing.Cli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpsilonGreedyPolicyTest {
  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void fit() {
    Path data = dir.resolve("d.parquet");
    Cli.ok("collect", "--episodes", "100", "--seed", "1", "--out", data.toString());
    model = dir.resolve("m");
    Cli.ok("fit", data.toString(), "--iterations", "5", "--trees", "10", "--out", model.toString());
  }

  static float[] observations(int rows) {
    Rng rng = Rng.derive(3);
    float[] obs = new float[rows * 4];
    for (int i = 0; i < obs.length; i++) {
      obs[i] = (float) rng.uniform(-0.2, 0.2);
    }
    return obs;
  }

  static Rng[] streams(int rows) {
    Rng[] r = new Rng[rows];
    for (int i = 0; i < rows; i++) {
      r[i] = Rng.derive(11, i);
    }
    return r;
  }

  @Test
  void epsilonZeroIsGreedyAndEpsilonOneIsUniform() {
    int rows = 20_000;
    float[] obs = observations(rows);
    try (GreedyPolicy greedy = GreedyPolicy.load(model)) {
      int[] expected = greedy.act(obs, rows);
      int[] actions = new int[rows];
      float[] probs = new float[rows];
      new EpsilonGreedyPolicy(greedy, 0).act(obs, rows, streams(rows), actions, probs);
      assertArrayEquals(expected, actions);
      for (float p : probs) {
        assertEquals(1f, p);
      }
      new EpsilonGreedyPolicy(greedy, 1).act(obs, rows, streams(rows), actions, probs);
      int ones = 0;
      for (int i = 0; i < rows; i++) {
        ones += actions[i];
        assertEquals(0.5f, probs[i]);
      }
      // Binomial(20000, 0.5): sd = 70.7, so 5 sd is a bound that a fair policy breaks once in millions of runs.
      assertTrue(Math.abs(ones - rows / 2) < 5 * Math.sqrt(rows * 0.25), "action 1 taken " + ones + " times");
    }
  }

  @Test
  void recordedProbabilitiesAreExactForTheActionTaken() {
    int rows = 5000;
    float[] obs = observations(rows);
    try (GreedyPolicy greedy = GreedyPolicy.load(model)) {
      int[] best = greedy.act(obs, rows);
      int[] actions = new int[rows];
      float[] probs = new float[rows];
      new EpsilonGreedyPolicy(greedy, 0.3).act(obs, rows, streams(rows), actions, probs);
      int explored = 0;
      for (int i = 0; i < rows; i++) {
        float expected = actions[i] == best[i] ? (float) (1 - 0.3 + 0.15) : (float) 0.15;
        assertEquals(expected, probs[i]);
        explored += actions[i] != best[i] ? 1 : 0;
      }
      // non-greedy actions come with probability eps/2 = 0.15
      assertTrue(Math.abs(explored - rows * 0.15) < 5 * Math.sqrt(rows * 0.15 * 0.85), "explored " + explored);
    }
  }
}
