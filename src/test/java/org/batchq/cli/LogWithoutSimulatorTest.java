package org.batchq.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.batchq.env.Rng;
import org.batchq.model.ModelBundle;
import org.batchq.policy.GreedyPolicy;
import org.batchq.testing.Cli;
import org.batchq.testing.Duck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log of a system batchq does not simulate, exported by DuckDB as a user would: a chain of 6 states (the goal,
 * state 5, pays 1 and terminates; optimal paths from state 0 take 5 steps), 7 scalar observation columns of which
 * 6 are noise, 3 actions stored as names, one row per step with no next-observation columns, no batchq metadata.
 */
class LogWithoutSimulatorTest {
  @TempDir static Path dir;
  static Path steps;
  static Path transitions;

  static final String[] NAMES = {"left", "stay", "right"};
  static final int GOAL = 5;
  static final double GAMMA = 0.9;

  /** Q*(s, a): V*(s) = gamma^(4 - s) below the goal; moving onto the goal pays 1. */
  static double optimalQ(int s, int a) {
    int next = Math.max(0, Math.min(GOAL, s + a - 1));
    return next == GOAL ? 1 : GAMMA * Math.pow(GAMMA, GOAL - 1 - next);
  }

  @BeforeAll
  static void export() throws Exception {
    // Random-policy episodes from random starts, cut at 12 steps; rows written shuffled, as logs often are.
    Rng rng = Rng.derive(7, 1);
    List<String> rows = new ArrayList<>();
    for (int e = 0; e < 600; e++) {
      int s = rng.nextInt(GOAL);
      for (int t = 0; ; t++) {
        String noise = noise(rng);
        if (t == 12) { // the time limit: a final row carries the observation the last step led to
          rows.add(e + "," + t + "," + s + noise + ",,,,");
          break;
        }
        int a = rng.nextInt(3);
        int next = Math.max(0, Math.min(GOAL, s + a - 1));
        boolean done = next == GOAL;
        boolean cut = !done && t == 11;
        rows.add(e + "," + t + "," + s + noise + "," + NAMES[a] + "," + (done ? 1 : 0) + "," + done + "," + cut);
        s = next;
        if (done) {
          if (e % 2 == 0) { // half the terminated episodes also log the final observation, as the reference does
            rows.add(e + "," + (t + 1) + "," + s + noise(rng) + ",,,,");
          }
          break;
        }
      }
    }
    // Ten truncated episodes lose their final row: their last step has no next observation and is dropped.
    for (int e = 600; e < 610; e++) {
      rows.add(e + ",0,0" + noise(rng) + ",stay,0,false,true");
    }
    java.util.Collections.shuffle(rows, new java.util.Random(3));
    Path csv = dir.resolve("chain.csv");
    Files.writeString(csv, "episode,t,s,n1,n2,n3,n4,n5,n6,action,reward,terminated,truncated\n"
        + String.join("\n", rows) + "\n");
    steps = dir.resolve("chain-steps.parquet");
    transitions = dir.resolve("chain-transitions.parquet");
    try (Duck duck = new Duck()) {
      duck.execute("CREATE TABLE log AS SELECT * FROM read_csv(" + Duck.quote(csv) + ", header = true, columns = {"
          + "'episode': 'BIGINT', 't': 'INTEGER', 's': 'DOUBLE', 'n1': 'DOUBLE', 'n2': 'DOUBLE', 'n3': 'DOUBLE',"
          + " 'n4': 'DOUBLE', 'n5': 'DOUBLE', 'n6': 'DOUBLE', 'action': 'VARCHAR', 'reward': 'DOUBLE',"
          + " 'terminated': 'BOOLEAN', 'truncated': 'BOOLEAN'})");
      duck.execute("COPY log TO " + Duck.quote(steps) + " (FORMAT parquet)");
      // The same transitions in the other layout, next observations by LEAD, in (episode, step) order.
      StringBuilder next = new StringBuilder();
      for (String c : List.of("s", "n1", "n2", "n3", "n4", "n5", "n6")) {
        next.append(", COALESCE(LEAD(").append(c).append(") OVER w, ").append(c).append(") AS next_").append(c);
      }
      duck.execute("COPY (SELECT * FROM (SELECT *" + next + ", LEAD(t) OVER w AS next_t FROM log"
          + " WINDOW w AS (PARTITION BY episode ORDER BY t)) WHERE action IS NOT NULL AND (terminated OR next_t = t + 1)"
          + " ORDER BY episode, t) TO " + Duck.quote(transitions) + " (FORMAT parquet)");
    }
  }

  static String noise(Rng rng) {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < 6; k++) {
      sb.append(',').append(rng.uniform(-1, 1));
    }
    return sb.toString();
  }

  static final String OBS = "s,n1,n2,n3,n4,n5,n6";

  static List<String> fit(Path out, String... layout) {
    // 66 iterations: gamma^66 < 1e-3.
    List<String> args = new ArrayList<>(List.of("fit", "--obs-cols", OBS, "--action-col", "action",
        "--action-values", "left,stay,right", "--reward-col", "reward", "--episode-col", "episode", "--gamma", "0.9",
        "--iterations", "66", "--validation-fraction", "0", "--algorithm", "multiple", "--trees", "20",
        "--max-depth", "4", "--min-child-weight", "20", "--eta", "0.5", "--out", out.toString()));
    args.addAll(List.of(layout));
    return args;
  }

  @Test
  void fitsWithoutEnvToTheExactOptimalQAndIsRefusedBySimulatorCommands() throws Exception {
    Path model = dir.resolve("chain-model");
    Cli.Result r = Cli.ok(fit(model, steps.toString(), "--step-col", "t").toArray(String[]::new));
    assertTrue(r.err().contains("dropped 10 rows"), r.err());
    assertTrue(!r.err().contains("assumed"), "--action-values states the action count: " + r.err());
    var manifest = ModelBundle.manifest(model);
    assertEquals(null, manifest.envId());
    assertEquals(7, manifest.observationSize());
    assertEquals(3, manifest.actionCount());
    double worst = 0;
    try (Duck duck = new Duck(); GreedyPolicy q = GreedyPolicy.load(model)) {
      List<List<Object>> logged = duck.query("SELECT " + OBS + ", action FROM " + Duck.quote(steps)
          + " WHERE action IS NOT NULL");
      for (List<Object> row : logged) {
        float[] obs = new float[7];
        for (int k = 0; k < 7; k++) {
          obs[k] = ((Number) row.get(k)).floatValue();
        }
        int s = (int) obs[0];
        int a = List.of(NAMES).indexOf((String) row.get(7));
        worst = Math.max(worst, Math.abs(q.qValues(obs, 1)[a] - optimalQ(s, a)));
      }
    }
    assertTrue(worst <= 0.02, "every logged (state, action) within 2% of max |Q*| = 1: worst error " + worst);
    Cli.Result evaluate = Cli.run("evaluate", model.toString());
    assertEquals(1, evaluate.exitCode());
    assertEquals(1, evaluate.err().lines().count(), evaluate.err());
    assertTrue(evaluate.err().contains("without a simulator"), evaluate.err());
  }

  @Test
  void bothLayoutsOfTheSameTransitionsGiveTheSameBoosters() throws Exception {
    Path fromSteps = dir.resolve("from-steps");
    Path fromTransitions = dir.resolve("from-transitions");
    Cli.ok(fit(fromSteps, steps.toString(), "--step-col", "t").toArray(String[]::new));
    Cli.ok(fit(fromTransitions, transitions.toString(), "--next-obs-cols",
        "next_s,next_n1,next_n2,next_n3,next_n4,next_n5,next_n6").toArray(String[]::new));
    for (String f : List.of("q-action-0.json", "q-action-1.json", "q-action-2.json")) {
      assertArrayEquals(Files.readAllBytes(fromSteps.resolve(f)), Files.readAllBytes(fromTransitions.resolve(f)), f);
    }
  }

  @Test
  void aNameNotListedIsRefusedByName() {
    Cli.Result r = Cli.run(fit(dir.resolve("bad-names"), steps.toString(), "--step-col", "t").stream()
        .map(a -> a.equals("left,stay,right") ? "left,right" : a).toArray(String[]::new));
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("action 'stay' is not one of --action-values left,right"), r.err());
  }
}
