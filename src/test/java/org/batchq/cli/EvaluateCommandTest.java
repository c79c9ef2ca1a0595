package org.batchq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.batchq.data.Episode;
import org.batchq.env.Rng;
import org.batchq.eval.Evaluation;
import org.batchq.policy.GreedyPolicy;
import org.batchq.policy.Policy;
import org.batchq.rollout.Rollout;
import org.batchq.runtime.TreeQFunction;
import org.batchq.testing.Cli;
import org.batchq.testing.Duck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {
  @TempDir static Path dir;
  static Path data;
  static Path alwaysRight;
  static Path learned;

  @BeforeAll
  static void models() throws Exception {
    data = dir.resolve("random.parquet");
    Cli.ok("collect", "--episodes", "300", "--seed", "1", "--out", data.toString());
    // Reward 1 for pushing right and 0 for left, no future (gamma 0): Q(s, 1) = 1 > Q(s, 0) = 0 everywhere.
    Path rightRewarded = dir.resolve("right.parquet");
    try (Duck duck = new Duck()) {
      duck.execute("COPY (SELECT * REPLACE (action::FLOAT AS reward) FROM " + Duck.quote(data) + ") TO "
          + Duck.quote(rightRewarded) + " (FORMAT parquet)");
    }
    alwaysRight = dir.resolve("always-right");
    Cli.ok("fit", rightRewarded.toString(), "--env", "CartPole-v1", "--gamma", "0", "--iterations", "1", "--trees", "5",
        "--out", alwaysRight.toString());
    learned = dir.resolve("learned");
    Cli.ok("fit", data.toString(), "--algorithm", "multiple", "--iterations", "20", "--trees", "30", "--out",
        learned.toString());
  }

  /** Pushes one way forever; an independent account of what a constant policy does. */
  record Constant(int action) implements Policy {
    @Override
    public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
      java.util.Arrays.fill(actions, 0, rows, action);
    }

    @Override
    public void distribution(float[] obs, int rows, float[] out) {
      int[] actions = new int[rows];
      java.util.Arrays.fill(actions, action);
      Policy.oneHot(actions, rows, 2, out);
    }

    @Override
    public String describe() {
      return "constant";
    }
  }

  @Test
  void aModelThatAlwaysPushesRightGivesTheConstantPolicysEpisodes() throws Exception {
    JsonNode rows = new ObjectMapper().readTree(Cli.ok("evaluate", alwaysRight.toString(), "--episodes", "20", "--seed",
        "3", "--format", "json").out());
    Evaluation.Outcome constant = Evaluation.run(new Constant(1), "CartPole-v1", 20, 1, 3, 0, i -> {});
    double mean = java.util.Arrays.stream(constant.returns()).average().orElseThrow();
    assertEquals(mean, rows.get(0).get("mean").asDouble(), 1e-9);
    assertEquals(java.util.Arrays.stream(constant.returns()).max().orElseThrow(), rows.get(0).get("max").asDouble());
    assertTrue(mean < 15, "pushing one way fails fast: " + mean);
  }

  @Test
  void everyPolicySeesTheSameInitialStatesAndRepeatsExactly() {
    List<float[]> first = initialStates(new Constant(0));
    List<float[]> second;
    try (GreedyPolicy greedy = GreedyPolicy.load(learned)) {
      second = initialStates(greedy);
      Evaluation.Outcome a = Evaluation.run(greedy, "CartPole-v1", 30, 8, 5, 0, i -> {});
      Evaluation.Outcome b = Evaluation.run(greedy, "CartPole-v1", 30, 3, 5, 0, i -> {});
      assertTrue(java.util.Arrays.equals(a.returns(), b.returns()), "same seed, same per-episode returns");
    }
    for (int i = 0; i < first.size(); i++) {
      assertTrue(java.util.Arrays.equals(first.get(i), second.get(i)), "episode " + i);
    }
  }

  static List<float[]> initialStates(Policy p) {
    List<float[]> out = new ArrayList<>();
    Rollout.run(new Rollout.Plan("CartPole-v1", 30, 8, 5, 0, 0), p,
        (Episode e) -> out.add(java.util.Arrays.copyOf(e.obs(), 4)));
    return out;
  }

  @Test
  void aFittedModelBeatsRandomAndTheTableSaysSo() throws Exception {
    JsonNode rows = new ObjectMapper().readTree(Cli.ok("evaluate", "random", learned.toString(), "--episodes", "50",
        "--seed", "9", "--format", "json").out());
    assertEquals("random", rows.get(0).get("policy").asText());
    double random = rows.get(0).get("mean").asDouble();
    double model = rows.get(1).get("mean").asDouble();
    assertTrue(model > 2 * random, "learned " + model + " vs random " + random);
    assertTrue(rows.get(1).get("diff_vs_first").asDouble() > 0);
    assertEquals("yes", rows.get(1).get("significant").asText());
    assertTrue(rows.get(0).get("diff_vs_first").isNull());
  }

  @Test
  void compiledTreesScoreExactlyAsTheWalkedArrays() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode walked = json.readTree(Cli.ok("evaluate", learned.toString(), "--episodes", "40", "--seed", "4",
        "--format", "json").out()).get(0);
    JsonNode compiled = json.readTree(Cli.ok("evaluate", learned.toString(), "--episodes", "40", "--seed", "4",
        "--compiled-trees", "--format", "json").out()).get(0);
    assertTrue(walked.get("std").asDouble() > 0, "episodes of different lengths, so a changed action shows");
    try (GreedyPolicy policy = GreedyPolicy.load(learned)) {
      assertTrue(((TreeQFunction) policy.withCompiledTrees().model().q()).compiled(), "the trees run as bytecode");
    }
    for (String column : List.of("mean", "std", "min", "median", "max", "reach_limit")) {
      assertEquals(walked.get(column), compiled.get(column), column);
    }
  }

  @Test
  void collectThroughCompiledTreesWritesTheSameRows() throws Exception {
    Path walked = dir.resolve("walked.parquet");
    Path compiled = dir.resolve("compiled.parquet");
    for (Path out : List.of(walked, compiled)) {
      List<String> args = new ArrayList<>(List.of("collect", "--policy", "epsilon-greedy", "--model",
          learned.toString(), "--epsilon", "0.05", "--episodes", "20", "--seed", "6", "--out", out.toString()));
      if (out.equals(compiled)) {
        args.add("--compiled-trees");
      }
      Cli.ok(args.toArray(String[]::new));
    }
    try (Duck duck = new Duck()) {
      String rows = "SELECT * FROM %s ORDER BY episode_id, step";
      List<List<Object>> expected = duck.query(String.format(rows, Duck.quote(walked)));
      assertTrue(expected.size() > 20 * 20, "long enough episodes for a changed greedy action to show");
      assertEquals(expected, duck.query(String.format(rows, Duck.quote(compiled))));
    }
  }

  @Test
  void csvAndTableCarryTheSameNumbersAsJson() throws Exception {
    String csv = Cli.ok("evaluate", learned.toString(), "--episodes", "10", "--seed", "2", "--format", "csv").out();
    JsonNode json = new ObjectMapper().readTree(Cli.ok("evaluate", learned.toString(), "--episodes", "10", "--seed", "2",
        "--format", "json").out());
    String[] header = csv.lines().findFirst().orElseThrow().split(",");
    String[] values = csv.lines().skip(1).findFirst().orElseThrow().split(",", -1);
    assertEquals("mean", header[3]);
    assertEquals(json.get(0).get("mean").asDouble(), Double.parseDouble(values[3]), 1e-12);
    String table = Cli.ok("evaluate", learned.toString(), "--episodes", "10", "--seed", "2").out();
    assertTrue(table.lines().findFirst().orElseThrow().startsWith("policy"), table);
  }

  @Test
  void badModelsGetOneLineNamingThePath() throws Exception {
    Cli.Result missing = Cli.run("evaluate", dir.resolve("nope").toString());
    assertEquals(1, missing.exitCode());
    assertTrue(missing.err().contains("nope"), missing.err());

    Path tampered = dir.resolve("tampered");
    copy(learned, tampered);
    Files.writeString(tampered.resolve("q-action-1.json"), "{}");
    Cli.Result r = Cli.run("evaluate", tampered.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("q-action-1.json") && r.err().contains("SHA-256"), r.err());

    Path incomplete = dir.resolve("incomplete");
    copy(learned, incomplete);
    Files.delete(incomplete.resolve("q-action-0.json"));
    r = Cli.run("evaluate", incomplete.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("q-action-0.json") && r.err().contains("missing"), r.err());

    Path future = dir.resolve("future");
    copy(learned, future);
    Path manifest = future.resolve("manifest.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"format_version\" : 1", "\"format_version\" : 99"));
    r = Cli.run("evaluate", future.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("manifest.json") && r.err().contains("newer"), r.err());

    Path otherEnv = dir.resolve("other-env");
    copy(learned, otherEnv);
    manifest = otherEnv.resolve("manifest.json");
    Files.writeString(manifest, Files.readString(manifest).replace("CartPole-v1", "MountainCar-v0"));
    r = Cli.run("collect", "--policy", "epsilon-greedy", "--model", otherEnv.toString(), "--episodes", "2", "--out",
        dir.resolve("x.parquet").toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("other-env") && r.err().contains("MountainCar-v0"), r.err());
  }

  static void copy(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  @Test
  void collectWithEpsilonGreedyRecordsExactBehaviourProbabilities() throws Exception {
    Path out = dir.resolve("eg.parquet");
    Cli.ok("collect", "--policy", "epsilon-greedy", "--model", learned.toString(), "--epsilon", "0.2", "--episodes",
        "20", "--seed", "4", "--out", out.toString());
    try (Duck duck = new Duck()) {
      List<List<Object>> probs = duck.query("SELECT DISTINCT behavior_prob FROM " + Duck.quote(out) + " ORDER BY 1");
      assertEquals(List.of(List.of(0.1f), List.of(0.9f)), probs);
      Object policy = duck.scalar("SELECT decode(value) FROM parquet_kv_metadata(" + Duck.quote(out)
          + ") WHERE decode(key) = 'batchq.behavior_policy'");
      assertTrue(policy.toString().contains("\"epsilon\":0.2") && policy.toString().contains("epsilon-greedy"), policy.toString());
    }
  }
}
