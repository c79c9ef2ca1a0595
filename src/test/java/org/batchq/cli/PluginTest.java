package org.batchq.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.batchq.io.Hashing;
import org.batchq.io.Json;
import org.batchq.testing.Cli;
import org.batchq.testing.Duck;
import org.batchq.testing.PluginJars;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An environment of your own: the example plugin of docs/environments.md, built from its documented sources into
 * a jar, used by collect, fit, evaluate and run through the command line exactly as a built-in environment.
 */
class PluginTest {
  @TempDir static Path dir;
  static Path jar;
  static String sha;
  static Path data;
  static Path model;

  @BeforeAll
  static void build() {
    jar = PluginJars.example(dir.resolve("chain.jar"));
    sha = Hashing.sha256(jar);
    data = dir.resolve("chain.parquet");
    Cli.ok("collect", "--plugin", jar.toString(), "--env", "Chain-v0", "--episodes", "300", "--seed", "1", "--out",
        data.toString());
    model = dir.resolve("chain-model");
    Cli.ok("fit", data.toString(), "--plugin", jar.toString(), "--iterations", "60", "--trees", "20", "--seed", "1",
        "--out", model.toString());
  }

  @Test
  void theDatasetAndTheModelRecordThePluginAndItsHash() throws Exception {
    try (Duck duck = new Duck()) {
      assertEquals("Chain-v0", duck.scalar("SELECT decode(value) FROM parquet_kv_metadata(" + Duck.quote(data)
          + ") WHERE decode(key) = 'batchq.env_id'"));
      assertEquals("chain.jar", duck.scalar("SELECT decode(value) FROM parquet_kv_metadata(" + Duck.quote(data)
          + ") WHERE decode(key) = 'batchq.env_plugin'"));
      assertEquals(sha, duck.scalar("SELECT decode(value) FROM parquet_kv_metadata(" + Duck.quote(data)
          + ") WHERE decode(key) = 'batchq.env_plugin_sha256'"));
      // The plugin's dynamics are in the data: one observation value, two actions, reward 1 only at the goal.
      assertEquals(1L, ((Number) duck.scalar("SELECT max(len(obs)) FROM " + Duck.quote(data))).longValue());
      assertEquals(0L, ((Number) duck.scalar("SELECT count(*) FROM " + Duck.quote(data)
          + " WHERE (reward = 1) <> terminated")).longValue());
    }
    JsonNode manifest = Json.MAPPER.readTree(model.resolve("manifest.json").toFile());
    assertEquals("Chain-v0", manifest.get("env_id").asText());
    assertEquals("chain.jar", manifest.get("env_plugin").get("jar").asText());
    assertEquals(sha, manifest.get("env_plugin").get("sha256").asText());
  }

  @Test
  void theSameSeedGivesTheSameRows() throws Exception {
    Path again = dir.resolve("again.parquet");
    Cli.ok("collect", "--plugin", jar.toString(), "--env", "Chain-v0", "--episodes", "300", "--seed", "1", "--out",
        again.toString());
    assertArrayEquals(Files.readAllBytes(data), Files.readAllBytes(again));
  }

  @Test
  void evaluateScoresTheFittedModelAboveRandom() throws Exception {
    Cli.Result r = Cli.ok("evaluate", model.toString(), "random", "--plugin", jar.toString(), "--episodes", "100",
        "--format", "json");
    JsonNode rows = Json.MAPPER.readTree(r.out());
    // Moving right reaches the goal within 50 steps from any start, slips included; a random walk often does not.
    assertEquals(1.0, rows.get(0).get("mean").asDouble(), 1e-12, r.out());
    assertTrue(rows.get(1).get("mean").asDouble() < 0.9, r.out());
  }

  @Test
  void runLoopsOverThePluginAndRecordsIt() throws Exception {
    Cli.ok("run", "--plugin", jar.toString(), "--env", "Chain-v0", "--dir", dir.resolve("runs").toString(),
        "--name", "chain", "--rounds", "2", "--episodes", "50", "--eval-episodes", "20", "--iterations", "10",
        "--trees", "10");
    JsonNode run = Json.MAPPER.readTree(dir.resolve("runs").resolve("runs").resolve("chain.json").toFile());
    assertEquals(2, run.get("rounds").size());
    assertEquals(sha, run.get("env_plugin").get("sha256").asText());
    assertTrue(Files.exists(dir.resolve("runs").resolve("plots").resolve("chain").resolve("episode-return.png")));
  }

  @Test
  void withoutThePluginEachCommandNamesTheJarInOneLine() {
    for (String[] args : new String[][] {{"evaluate", model.toString()}, {"fit", data.toString(), "--out",
        dir.resolve("never").toString()}, {"info", data.toString()}, {"collect", "--policy", "epsilon-greedy",
        "--model", model.toString(), "--episodes", "2", "--out", dir.resolve("never.parquet").toString()}}) {
      Cli.Result r = Cli.run(args);
      assertEquals(1, r.exitCode(), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().contains("plugin chain.jar") && r.err().contains("--plugin"), r.err());
    }
    assertTrue(Files.notExists(dir.resolve("never")) && Files.notExists(dir.resolve("never.parquet")));
  }

  /**
   * A plugin that steps a vector itself ({@code vector(size)}, as the built-in simulators do) is used like one that
   * gives a single environment: the same corridor written both ways collects the same rows, slot for slot, episode
   * for episode, with the time limit (truncation) and the goal (termination) where the lockstep one has them.
   */
  @Test
  void aVectorPluginCollectsTheRowsOfTheSameEnvironmentInLockstep() throws Exception {
    Path vector = PluginJars.build(dir.resolve("vchain.jar"), List.of(PluginJars.source(dir, "VectorChain", """
        package org.example.test;
        import org.batchq.env.*;
        public final class VectorChain implements EnvironmentProvider {
          public EnvSpec spec() { return new EnvSpec("VChain-v0", 1, 2, 50, 0.9); }
          public VectorEnv vector(int size) {
            return new VectorEnv() {
              final Rng[] rngs = new Rng[size];
              final int[] position = new int[size];
              final int[] steps = new int[size];
              public EnvSpec spec() { return VectorChain.this.spec(); }
              public int size() { return size; }
              public void reset(int slot, Rng rng, float[] obs, int offset) {
                rngs[slot] = rng;
                position[slot] = rng.nextInt(3);
                steps[slot] = 0;
                obs[offset] = position[slot] / 9f;
              }
              public void step(int[] actions, float[] next, float[] rewards, boolean[] terminated,
                  boolean[] truncated) {
                for (int s = 0; s < size; s++) {
                  if (rngs[s].nextDouble() >= 0.1) {
                    position[s] = Math.max(0, position[s] + (actions[s] == 1 ? 1 : -1));
                  }
                  next[s] = position[s] / 9f;
                  terminated[s] = position[s] == 9;
                  rewards[s] = terminated[s] ? 1f : 0f;
                  truncated[s] = ++steps[s] >= 50;
                }
              }
            };
          }
        }
        """)), Map.of(PluginJars.SERVICES, "org.example.test.VectorChain\n"));
    Path lockstep = dir.resolve("lockstep.parquet");
    Path stepped = dir.resolve("vector.parquet");
    Cli.ok("collect", "--plugin", jar.toString(), "--env", "Chain-v0", "--episodes", "200", "--envs", "8", "--seed",
        "4", "--out", lockstep.toString());
    Cli.ok("collect", "--plugin", vector.toString(), "--env", "VChain-v0", "--episodes", "200", "--envs", "8",
        "--seed", "4", "--out", stepped.toString());
    String rows = "SELECT episode_id, step, obs, action, reward, next_obs, terminated, truncated FROM ";
    try (Duck duck = new Duck()) {
      assertEquals(0L, ((Number) duck.scalar("SELECT count(*) FROM (" + rows + Duck.quote(lockstep) + " EXCEPT "
          + rows + Duck.quote(stepped) + ")")).longValue());
      assertEquals(duck.scalar("SELECT count(*) FROM " + Duck.quote(lockstep)),
          duck.scalar("SELECT count(*) FROM " + Duck.quote(stepped)));
      assertTrue(((Number) duck.scalar("SELECT count(*) FROM " + Duck.quote(stepped) + " WHERE truncated"))
          .longValue() > 0, "some episodes reach the time limit");
      assertTrue(((Number) duck.scalar("SELECT count(*) FROM " + Duck.quote(stepped) + " WHERE terminated"))
          .longValue() > 0, "some reach the goal");
    }
  }
}
