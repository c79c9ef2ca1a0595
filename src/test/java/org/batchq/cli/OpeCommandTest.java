package org.batchq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.batchq.data.Dataset;
import org.batchq.data.ColumnMapping;
import org.batchq.fqi.FqiData;
import org.batchq.fqi.TrainingData;
import org.batchq.policy.GreedyPolicy;
import org.batchq.testing.Cli;
import org.batchq.testing.Duck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ope} and {@code fit --algorithm bc} through the command line, as a user runs them. */
class OpeCommandTest {
  @TempDir static Path dir;
  static Path model;
  static Path behaviour;

  @BeforeAll
  static void data() {
    Path random = dir.resolve("random.parquet");
    Cli.ok("collect", "--episodes", "200", "--seed", "1", "--out", random.toString());
    model = dir.resolve("m");
    Cli.ok("fit", random.toString(), "--iterations", "10", "--trees", "10", "--out", model.toString());
    behaviour = dir.resolve("behaviour.parquet");
    Cli.ok("collect", "--policy", "epsilon-greedy", "--model", model.toString(), "--epsilon", "0.3", "--episodes",
        "150", "--seed", "2", "--out", behaviour.toString());
  }

  static JsonNode json(String... args) throws Exception {
    return new ObjectMapper().readTree(Cli.ok(args).out());
  }

  static JsonNode row(JsonNode rows, String policy, String estimator) {
    for (JsonNode r : rows) {
      if (r.get("policy").asText().equals(policy) && r.get("estimator").asText().equals(estimator)) {
        return r;
      }
    }
    throw new AssertionError("no row " + policy + " / " + estimator + " in " + rows);
  }

  @Test
  void perDecisionIsOfTheBehaviourPolicyIsItsLoggedReturn() throws Exception {
    JsonNode rows = json("ope", behaviour.toString(), model.toString(), "--target-epsilon", "0.3", "--estimators",
        "pdis,wpdis", "--bootstrap", "50", "--format", "json");
    JsonNode logged = row(rows, "behaviour (logged)", "logged");
    JsonNode pdis = row(rows, model.toString(), "pdis");
    assertEquals(logged.get("estimate").asDouble(), pdis.get("estimate").asDouble(), 0.0);
    assertEquals(logged.get("ci_lo").asDouble(), pdis.get("ci_lo").asDouble(), 0.0, "same resamples, same interval");
    assertEquals(150, pdis.get("ess").asDouble(), 1e-9);
    assertEquals("yes", pdis.get("trusted").asText());
  }

  @Test
  void theTableComparesPoliciesSideBySideAndJsonHoldsTheSameNumbers() throws Exception {
    String[] args = {"ope", behaviour.toString(), model.toString(), "random", "--iterations", "20", "--trees", "5",
        "--fqe-refits", "2", "--bootstrap", "30", "--seed", "4"};
    String table = Cli.ok(args).out();
    for (String e : List.of("fqe", "pdis", "wpdis", "dr", "wdr", "mb")) {
      assertTrue(table.lines().anyMatch(l -> l.startsWith("random") && l.contains(" " + e + " ")), e + ":\n" + table);
    }
    assertTrue(table.contains("from the log's column behavior_prob"), table);
    assertTrue(table.contains("FQE: 20 iterations"), table);
    assertTrue(table.contains("MB: a single model (depth 8)"), "mb's own default depth:\n" + table);
    String shallow = Cli.ok("ope", behaviour.toString(), "random", "--estimators", "mb", "--iterations", "20",
        "--trees", "5", "--max-depth", "3", "--bootstrap", "0").out();
    assertTrue(shallow.contains("MB: a single model (depth 3)"), "--max-depth also sets mb's:\n" + shallow);
    assertTrue(table.contains("random: max-Q(s0)") && table.contains("at 20; final train loss"), table);
    String[] withJson = java.util.Arrays.copyOf(args, args.length + 2);
    withJson[args.length] = "--format";
    withJson[args.length + 1] = "json";
    Path diagnostics = dir.resolve("fqe.csv");
    String[] withDiagnostics = java.util.Arrays.copyOf(withJson, withJson.length + 2);
    withDiagnostics[withJson.length] = "--fqe-diagnostics";
    withDiagnostics[withJson.length + 1] = diagnostics.toString();
    JsonNode rows = json(withDiagnostics);
    assertEquals(13, rows.size(), "the logged row and six estimators for each of two policies");
    List<String> lines = java.nio.file.Files.readAllLines(diagnostics);
    assertEquals(1 + 2 * 20, lines.size(), "a row per FQE iteration per policy");
    JsonNode fqe = row(rows, "random", "fqe");
    String line = table.lines().filter(l -> l.startsWith("random") && l.contains(" fqe ")).findFirst().orElseThrow();
    assertTrue(line.contains(org.batchq.io.Table.cell(fqe.get("estimate").asDouble())), line + " vs " + fqe);
    assertTrue(row(rows, "random", "pdis").get("diff_vs_first").isNumber(), "paired difference to the first policy");
    // Without a fixed seed of its own the FQE interval comes from the refits: it has width.
    assertTrue(fqe.get("ci_hi").asDouble() > fqe.get("ci_lo").asDouble());
  }

  @Test
  void aForeignLogWithoutProbabilitiesGetsThemEstimatedAndSaysSo() throws Exception {
    Path foreign = dir.resolve("foreign.parquet");
    try (Duck duck = new Duck()) {
      duck.execute("COPY (SELECT obs, action, reward, next_obs, terminated, truncated, episode_id FROM "
          + Duck.quote(behaviour) + ") TO " + Duck.quote(foreign) + " (FORMAT parquet)");
    }
    String out = Cli.ok("ope", foreign.toString(), "--env", "CartPole-v1", model.toString(), "--estimators",
        "pdis,wpdis", "--bootstrap", "20").out();
    assertTrue(out.contains("behaviour probabilities: estimated"), out);
    // The estimate of the logged probabilities is close to the truth: the behaviour's own PDIS is near its return.
    JsonNode rows = json("ope", foreign.toString(), "--env", "CartPole-v1", model.toString(), "--target-epsilon",
        "0.3", "--estimators", "wpdis", "--bootstrap", "0", "--format", "json");
    double logged = row(rows, "behaviour (logged)", "logged").get("estimate").asDouble();
    double wpdis = row(rows, model.toString(), "wpdis").get("estimate").asDouble();
    assertEquals(logged, wpdis, 0.1 * logged, "estimated probabilities close to the logged ones");
  }

  @Test
  void behaviourCloningReproducesADeterministicPolicyAndActsLikeAnyBundle() throws Exception {
    Path greedyLog = dir.resolve("greedy.parquet");
    Cli.ok("collect", "--policy", "epsilon-greedy", "--model", model.toString(), "--epsilon", "0", "--episodes", "100",
        "--seed", "3", "--out", greedyLog.toString());
    Path bc = dir.resolve("bc");
    String fitted = Cli.ok("fit", greedyLog.toString(), "--algorithm", "bc", "--out", bc.toString()).out();
    assertTrue(fitted.contains("train_accuracy"), fitted);
    // Judged on states the clone never saw: another greedy log.
    Path fresh = dir.resolve("fresh.parquet");
    Cli.ok("collect", "--policy", "epsilon-greedy", "--model", model.toString(), "--epsilon", "0", "--episodes", "30",
        "--seed", "9", "--out", fresh.toString());
    FqiData states = TrainingData.decode(Dataset.open(List.of(fresh.toString()), ColumnMapping.BATCHQ, null)).all();
    try (GreedyPolicy teacher = GreedyPolicy.load(model); GreedyPolicy clone = GreedyPolicy.load(bc)) {
      int[] want = teacher.act(states.obs(), states.rows());
      int[] got = clone.act(states.obs(), states.rows());
      int same = 0;
      for (int i = 0; i < want.length; i++) {
        same += want[i] == got[i] ? 1 : 0;
      }
      assertTrue(same >= 0.98 * want.length, same + " of " + want.length + " actions reproduced");
    }
    Cli.ok("evaluate", bc.toString(), "--episodes", "5");
    Cli.ok("collect", "--policy", "epsilon-greedy", "--model", bc.toString(), "--episodes", "3", "--out",
        dir.resolve("from-bc.parquet").toString());
    JsonNode rows = json("ope", behaviour.toString(), bc.toString(), "--estimators", "wpdis", "--bootstrap", "0",
        "--format", "json");
    assertTrue(row(rows, bc.toString(), "wpdis").get("estimate").isNumber());
  }

  /** collect --policy sample draws from the clone's probabilities and records the probability it drew from. */
  @Test
  void sampledCollectionRecordsTheClonesOwnProbabilities() throws Exception {
    Path bc = dir.resolve("bc-of-behaviour");
    Cli.ok("fit", behaviour.toString(), "--algorithm", "bc", "--out", bc.toString());
    Path sampled = dir.resolve("sampled.parquet");
    Cli.ok("collect", "--policy", "sample", "--model", bc.toString(), "--episodes", "40", "--seed", "5", "--out",
        sampled.toString());
    Dataset d = Dataset.open(List.of(sampled.toString()), ColumnMapping.BATCHQ, null);
    FqiData rows = TrainingData.decode(d).all();
    try (GreedyPolicy clone = GreedyPolicy.load(bc)) {
      float[] p = clone.qValues(rows.obs(), rows.rows());
      int greedy = 0;
      for (int i = 0; i < rows.rows(); i++) {
        int a = rows.actions()[i];
        assertEquals(p[2 * i + a], rows.behaviorProbs()[i], 0f, "row " + i + " records the probability drawn from");
        greedy += p[2 * i + a] >= p[2 * i + 1 - a] ? 1 : 0;
      }
      // The clone of epsilon-0.3 behaviour explores: not every action is its most likely one.
      assertTrue(greedy < rows.rows() && greedy > rows.rows() / 2, greedy + " of " + rows.rows());
    }
    assertEquals(2, Cli.run("collect", "--policy", "sample", "--model", model.toString(), "--episodes", "2", "--out",
        dir.resolve("refused.parquet").toString()).exitCode(), "an FQI model's values are not probabilities");
  }
}
