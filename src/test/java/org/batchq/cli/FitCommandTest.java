package org.batchq.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.batchq.io.Json;
import org.batchq.model.ModelBundle;
import org.batchq.testing.Cli;
import org.batchq.testing.Duck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FitCommandTest {
  @TempDir static Path shared;
  static Path data;

  @TempDir Path dir;

  @BeforeAll
  static void collect() {
    data = shared.resolve("random.parquet");
    Cli.ok("collect", "--episodes", "150", "--seed", "2", "--out", data.toString());
  }

  static String[] fit(Path out, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("fit", "--iterations", "4", "--trees", "10",
        "--out", out.toString()));
    args.addAll(List.of(extra));
    if (!args.contains("--seed")) {
      args.addAll(List.of("--seed", "5"));
    }
    return args.toArray(String[]::new);
  }

  @Test
  void savesABundleThatLoadsWithItsManifestAndDiagnostics() throws Exception {
    Path out = dir.resolve("m");
    Cli.Result r = Cli.ok(fit(out, data.toString(), "--format", "json"));
    JsonNode table = new ObjectMapper().readTree(r.out());
    assertEquals(4, table.size());
    try (ModelBundle.Loaded m = ModelBundle.load(out)) {
      assertEquals("single", m.manifest().algorithm());
      assertEquals("CartPole-v1", m.manifest().envId());
      assertEquals(4, m.manifest().diagnostics().size());
      assertEquals(table.get(3).get("train_loss").asDouble(), m.manifest().diagnostics().get(3).trainLoss(), 1e-12);
      assertEquals(org.batchq.io.Hashing.sha256(data), m.manifest().data().get(0).sha256());
      assertEquals(List.of("q.json"), List.copyOf(m.manifest().files().keySet()));
      float[] q = m.q().predict(new float[] {0, 0, 0, 0}, 1);
      assertTrue(q[0] > 1 && q[1] > 1, "Q of a fresh state exceeds one step's reward after 4 iterations");
    }
  }

  @Test
  void theSameSeedGivesByteIdenticalBoostersWhateverTheThreadCount() throws Exception {
    for (String algorithm : List.of("multiple", "single")) {
      Path one = dir.resolve(algorithm + "-1");
      Path two = dir.resolve(algorithm + "-2");
      Cli.ok(fit(one, data.toString(), "--algorithm", algorithm, "--threads", "1", "--subsample", "0.7"));
      Cli.ok(fit(two, data.toString(), "--algorithm", algorithm, "--threads", "2", "--subsample", "0.7"));
      Path warmOne = dir.resolve(algorithm + "-warm-1");
      Path warmTwo = dir.resolve(algorithm + "-warm-2");
      Cli.ok(fit(warmOne, data.toString(), "--algorithm", algorithm, "--threads", "1", "--warm-start"));
      Cli.ok(fit(warmTwo, data.toString(), "--algorithm", algorithm, "--threads", "2", "--warm-start"));
      for (String f : List.copyOf(ModelBundle.manifest(warmOne).files().keySet())) {
        assertArrayEquals(Files.readAllBytes(warmOne.resolve(f)), Files.readAllBytes(warmTwo.resolve(f)), "warm " + f);
      }
      for (String f : List.copyOf(ModelBundle.manifest(one).files().keySet())) {
        assertArrayEquals(Files.readAllBytes(one.resolve(f)), Files.readAllBytes(two.resolve(f)), algorithm + " " + f);
      }
      Path other = dir.resolve(algorithm + "-seed");
      Cli.ok(fit(other, data.toString(), "--algorithm", algorithm, "--subsample", "0.7", "--seed", "6"));
      String f = ModelBundle.manifest(one).files().keySet().iterator().next();
      assertFalse(java.util.Arrays.equals(Files.readAllBytes(one.resolve(f)), Files.readAllBytes(other.resolve(f))));
    }
  }

  @Test
  void aFileWrittenByDuckDbWithOtherColumnsGivesTheSameModel() throws Exception {
    Path foreign = dir.resolve("foreign.parquet");
    try (Duck duck = new Duck()) {
      duck.execute("COPY (SELECT episode_id AS ep, obs[1]::DOUBLE AS x, obs[2]::DOUBLE AS v, obs[3]::DOUBLE AS th,"
          + " obs[4]::DOUBLE AS w, next_obs[1]::DOUBLE AS nx, next_obs[2]::DOUBLE AS nv, next_obs[3]::DOUBLE AS nth,"
          + " next_obs[4]::DOUBLE AS nw, action::BIGINT AS act, reward::DOUBLE AS r, terminated AS done"
          + " FROM " + Duck.quote(data) + ") TO " + Duck.quote(foreign) + " (FORMAT parquet)");
    }
    Path ours = dir.resolve("ours");
    Path theirs = dir.resolve("theirs");
    // The random data never reaches the time limit, so 'done' means terminated here, as the user states.
    Cli.ok(fit(ours, data.toString(), "--algorithm", "multiple"));
    Cli.ok(fit(theirs, foreign.toString(), "--env", "CartPole-v1", "--obs-cols", "x,v,th,w", "--next-obs-cols",
        "nx,nv,nth,nw", "--action-col", "act", "--reward-col", "r", "--episode-col", "ep", "--done-col", "done",
        "--done-means", "terminated", "--algorithm", "multiple"));
    for (String f : List.of("q-action-0.json", "q-action-1.json")) {
      assertArrayEquals(Files.readAllBytes(ours.resolve(f)), Files.readAllBytes(theirs.resolve(f)), f);
    }

    // Without --env the same file is a log of a system batchq does not simulate: its spaces come from the data,
    // the output says what was assumed, and the boosters are the same (nothing about them depends on the name).
    Path log = dir.resolve("log");
    Cli.Result noEnv = Cli.ok(fit(log, foreign.toString(), "--obs-cols", "x,v,th,w", "--next-obs-cols",
        "nx,nv,nth,nw", "--action-col", "act", "--reward-col", "r", "--episode-col", "ep", "--done-col", "done",
        "--done-means", "terminated", "--algorithm", "multiple"));
    assertTrue(noEnv.err().contains("a log without a simulator with 4 observation values and 2 actions (0..1),"
        + " assumed from the largest action in the data (1, in"), noEnv.err());
    for (String f : List.of("q-action-0.json", "q-action-1.json")) {
      assertArrayEquals(Files.readAllBytes(ours.resolve(f)), Files.readAllBytes(log.resolve(f)), f);
    }
    var manifest = ModelBundle.manifest(log);
    assertEquals(null, manifest.envId(), "no environment is recorded where none is known");
    assertEquals(4, manifest.observationSize());
    assertEquals(2, manifest.actionCount());
    Cli.Result evaluate = Cli.run("evaluate", log.toString(), "--episodes", "2");
    assertEquals(1, evaluate.exitCode());
    assertTrue(evaluate.err().contains("was fitted on a log without a simulator") && evaluate.err().contains("ope")
        && evaluate.err().lines().count() == 1, evaluate.err());
    // --actions states what the data cannot: a third action that never occurs.
    Path three = dir.resolve("three");
    Cli.Result stated = Cli.ok(fit(three, foreign.toString(), "--obs-cols", "x,v,th,w", "--next-obs-cols",
        "nx,nv,nth,nw", "--action-col", "act", "--reward-col", "r", "--episode-col", "ep", "--done-col", "done",
        "--done-means", "terminated", "--actions", "3"));
    assertFalse(stated.err().contains("assumed"), stated.err());
    assertEquals(3, ModelBundle.manifest(three).actionCount());
    String info = Cli.ok("info", foreign.toString(), "--obs-cols", "x,v,th,w", "--next-obs-cols", "nx,nv,nth,nw",
        "--action-col", "act", "--reward-col", "r", "--episode-col", "ep", "--done-col", "done", "--done-means",
        "terminated").out();
    assertTrue(info.contains("none: a log without a simulator"), info);
  }

  /** Writes a copy of the test data through DuckDB with one column replaced by an expression. */
  Path variant(String name, String select) throws Exception {
    return variant(name, select, "true");
  }

  Path variant(String name, String select, String where) throws Exception {
    Path f = dir.resolve(name + ".parquet");
    try (Duck duck = new Duck()) {
      duck.execute("COPY (SELECT " + select + " FROM " + Duck.quote(data) + " WHERE " + where + ") TO " + Duck.quote(f)
          + " (FORMAT parquet)");
    }
    return f;
  }

  void assertFailsCleanly(Path input, int code, String... expected) throws Exception {
    Path out = dir.resolve("bad-model");
    // multiple: the one algorithm that also refuses data in which an action never occurs
    Cli.Result r = Cli.run(fit(out, input.toString(), "--env", "CartPole-v1", "--algorithm", "multiple"));
    assertEquals(code, r.exitCode(), r.err());
    String err = r.err().strip();
    assertEquals(1, err.lines().count(), "one line, no stack trace: " + err);
    assertTrue(err.contains(input.getFileName().toString()), "names the file: " + err);
    for (String e : expected) {
      assertTrue(err.contains(e), "says '" + e + "': " + err);
    }
    assertFalse(Files.exists(out), "no bundle left behind");
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".bad-model")), "no temporary left");
    }
  }

  @Test
  void badDataGetsOneLineNamingTheFileAndLeavesNoBundle() throws Exception {
    String all = "episode_id, step, obs, next_obs, terminated, truncated, behavior_prob";
    assertFailsCleanly(variant("nan-reward", all + ", action, CASE WHEN step = 3 THEN 'NaN'::FLOAT ELSE reward END AS reward"),
        1, "reward is NaN");
    assertFailsCleanly(variant("inf-reward", all + ", action, CASE WHEN step = 3 THEN 'inf'::FLOAT ELSE reward END AS reward"),
        1, "reward is Infinity");
    assertFailsCleanly(variant("big-action", all + ", reward, CASE WHEN step = 2 THEN 2 ELSE action END AS action"),
        1, "action 2 is outside [0, 2)");
    assertFailsCleanly(variant("negative-action", all + ", reward, CASE WHEN step = 2 THEN -1 ELSE action END AS action"),
        1, "action -1 is outside");
    assertFailsCleanly(variant("no-reward", all + ", action"), 1, "missing column 'reward'");
    assertFailsCleanly(variant("short-obs", "episode_id, step, obs[1:3] AS obs, next_obs, terminated, truncated,"
        + " behavior_prob, action, reward"), 1, "obs has 3 values");
    assertFailsCleanly(variant("nan-obs", "episode_id, step, list_transform(obs, lambda x: x / 0 * 0) AS obs, next_obs,"
        + " terminated, truncated, behavior_prob, action, reward"), 1, "obs[0] is NaN");
    assertFailsCleanly(variant("empty", "*", "false"), 1, "holds no transitions");
    assertFailsCleanly(variant("one-action", "*", "action = 0"), 1, "action 1 never occurs");
  }

  /**
   * --start-model makes a saved Q-function Q_0: the first iteration's targets bootstrap from it, so its initial
   * max-Q is about 1 + gamma * (the start's), where a fit from zero starts at one step's reward; the manifest names
   * the start by content.
   */
  @Test
  void aStartModelIsQZeroAndIsRecorded() throws Exception {
    Path first = dir.resolve("first");
    Cli.ok(fit(first, data.toString()));
    Path continued = dir.resolve("continued");
    Cli.ok(fit(continued, data.toString(), "--start-model", first.toString()));
    try (ModelBundle.Loaded a = ModelBundle.load(first); ModelBundle.Loaded b = ModelBundle.load(continued)) {
      double startMaxQ = a.manifest().diagnostics().get(3).initialMaxQ();
      assertEquals(1.0, a.manifest().diagnostics().get(0).initialMaxQ(), 0.05, "from zero: one step's reward");
      assertEquals(1 + 0.99 * startMaxQ, b.manifest().diagnostics().get(0).initialMaxQ(), 0.1 * startMaxQ,
          "from the start model: one more backup on top of it");
      @SuppressWarnings("unchecked")
      Map<String, Object> start = (Map<String, Object>) b.manifest().training().get("start_model");
      assertEquals(a.manifest().contentSha256(), start.get("sha256"));
      assertNull(a.manifest().training().get("start_model"));
    }
  }

  /**
   * --clip-targets keeps targets within [0, 1 / (1 - gamma)] for rewards of 1: started from a model whose Q is about
   * 4, a fit with gamma 0.5 gets targets near 1 + 0.5 * 4 = 3 unclipped, and at most 2 clipped.
   */
  @Test
  void clippedTargetsStayWithinTheReturnRange() throws Exception {
    Path start = dir.resolve("start");
    Cli.ok(fit(start, data.toString()));
    Path clipped = dir.resolve("clipped");
    Path free = dir.resolve("free");
    Cli.ok(fit(clipped, data.toString(), "--gamma", "0.5", "--start-model", start.toString(), "--clip-targets"));
    Cli.ok(fit(free, data.toString(), "--gamma", "0.5", "--start-model", start.toString()));
    try (ModelBundle.Loaded c = ModelBundle.load(clipped); ModelBundle.Loaded f = ModelBundle.load(free)) {
      assertTrue(f.manifest().diagnostics().get(0).initialMaxQ() > 2.2, "unclipped: bootstraps from the start's Q");
      assertTrue(c.manifest().diagnostics().get(0).initialMaxQ() <= 2.01, "clipped to 1 / (1 - 0.5)");
      assertEquals(true, c.manifest().training().get("clip_targets"));
      assertEquals(false, f.manifest().training().get("clip_targets"));
    }
  }

  /**
   * An ensemble of N is the mean of the N single fits with seeds S..S+N-1 (each holding out its own episodes),
   * saved as one ordinary booster file that XGBoost loads like any other.
   */
  @Test
  void anEnsembleIsTheMeanOfItsMembersInOneBooster() throws Exception {
    Path ensemble = dir.resolve("ensemble");
    Cli.ok(fit(ensemble, data.toString(), "--ensemble", "3", "--seed", "5"));
    List<Path> members = new java.util.ArrayList<>();
    for (int s = 5; s < 8; s++) {
      Path m = dir.resolve("member-" + s);
      Cli.ok(fit(m, data.toString(), "--seed", Integer.toString(s)));
      members.add(m);
    }
    float[] states = new float[] {0, 0, 0, 0, 0.05f, -0.3f, 0.02f, 0.4f, -1f, 0.5f, -0.1f, -0.8f, 1.5f, 1f, 0.15f, 1f};
    float[] mean = new float[8];
    for (Path m : members) {
      try (ModelBundle.Loaded b = ModelBundle.load(m)) {
        float[] q = b.q().predict(states, 4);
        for (int i = 0; i < q.length; i++) {
          mean[i] += q[i] / 3;
        }
      }
    }
    try (ModelBundle.Loaded e = ModelBundle.load(ensemble)) {
      assertEquals(List.of("q.json"), List.copyOf(e.manifest().files().keySet()));
      assertEquals(3, ((Number) e.manifest().training().get("ensemble")).intValue());
      float[] q = e.q().predict(states, 4);
      float[] single;
      try (ModelBundle.Loaded first = ModelBundle.load(members.get(0))) {
        single = first.q().predict(states, 4);
      }
      double apart = 0;
      for (int i = 0; i < q.length; i++) {
        assertEquals(mean[i], q[i], 1e-4 * Math.max(1, Math.abs(mean[i])), "Q[" + i + "]");
        apart += Math.abs(single[i] - mean[i]);
      }
      assertTrue(apart > 1e-3, "the members differ, so the mean is not any one of them");
    }
  }

  /** With --average-iterates M the saved model is the mean of the last M iterates: M times one fit's trees. */
  @Test
  void averagedIteratesAreSavedAsOneModelOfTheirTrees() throws Exception {
    Path plain = dir.resolve("plain-multiple");
    Path averaged = dir.resolve("averaged-multiple");
    Cli.ok(fit(plain, data.toString(), "--algorithm", "multiple"));
    Cli.ok(fit(averaged, data.toString(), "--algorithm", "multiple", "--average-iterates", "3"));
    try (ModelBundle.Loaded p = ModelBundle.load(plain); ModelBundle.Loaded a = ModelBundle.load(averaged)) {
      assertEquals(1, ((Number) p.manifest().training().get("average_iterates")).intValue(), "fit's default: plain FQI");
      assertEquals(3, ((Number) a.manifest().training().get("average_iterates")).intValue());
      for (String file : List.of("q-action-0.json", "q-action-1.json")) {
        assertEquals(10, trees(plain.resolve(file)), file);
        assertEquals(30, trees(averaged.resolve(file)), file + ": three iterates of 10 trees");
      }
      float[] states = {0, 0, 0, 0, 0.05f, -0.3f, 0.02f, 0.4f};
      float[] qp = p.q().predict(states, 2);
      float[] qa = a.q().predict(states, 2);
      double apart = 0;
      for (int i = 0; i < qp.length; i++) {
        apart += Math.abs(qp[i] - qa[i]);
      }
      assertTrue(apart > 1e-3, "the mean of iterates is another Q-function than the last iterate");
    }
  }

  private static int trees(Path booster) throws Exception {
    return Json.MAPPER.readTree(booster.toFile()).get("learner").get("gradient_booster").get("model").get("trees").size();
  }

  /** A model's manifest holds its settings: fitted again from them on the same data, the same boosters. */
  @Test
  void aModelsSettingsReproduceItAndFlagsBesideThemWin() throws Exception {
    Path first = dir.resolve("first");
    Cli.ok(fit(first, data.toString(), "--algorithm", "multiple", "--max-depth", "3", "--average-iterates", "2",
        "--seed", "8"));
    Path again = dir.resolve("again");
    Cli.ok("fit", data.toString(), "--config", first.resolve("manifest.json").toString(), "--out", again.toString());
    for (String f : List.of("q-action-0.json", "q-action-1.json")) {
      assertArrayEquals(Files.readAllBytes(first.resolve(f)), Files.readAllBytes(again.resolve(f)), f);
    }
    JsonNode settings = Json.MAPPER.readTree(first.resolve("manifest.json").toFile()).get("settings");
    assertEquals(3, settings.get("learner").get("max_depth").asInt());
    assertFalse(settings.get("learner").has("threads"), "the thread count is a run fact, not a setting");

    Path deeper = dir.resolve("deeper");
    Cli.ok("fit", data.toString(), "--config", first.resolve("manifest.json").toString(), "--max-depth", "5",
        "--out", deeper.toString());
    try (ModelBundle.Loaded m = ModelBundle.load(deeper)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> learner = (Map<String, Object>) m.manifest().settings().get("learner");
      assertEquals(5, learner.get("max_depth"), "the flag given beside --config wins");
      assertEquals(8, ((Number) learner.get("seed")).intValue(), "the rest comes from the file");
      assertEquals(2, m.manifest().settings().get("average_iterates"));
      assertEquals(4, m.manifest().iterations());
    }
  }

  @Test
  void optionsOfTheLearnerNotChosenAreRefused() {
    Cli.Result trees = Cli.run(fit(dir.resolve("t"), data.toString(), "--algorithm", "single", "--hidden", "32"));
    assertEquals(2, trees.exitCode());
    assertTrue(trees.err().contains("--hidden") && trees.err().contains("neural"), trees.err());
    Cli.Result neural = Cli.run("fit", data.toString(), "--algorithm", "neural", "--max-depth", "3", "--out",
        dir.resolve("n").toString());
    assertEquals(2, neural.exitCode());
    assertTrue(neural.err().contains("--max-depth") && neural.err().contains("single, multiple"), neural.err());
    assertFalse(Files.exists(dir.resolve("t")) || Files.exists(dir.resolve("n")));
  }
}
