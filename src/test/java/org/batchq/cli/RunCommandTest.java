package org.batchq.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.batchq.io.Json;
import org.batchq.model.ModelBundle;
import org.batchq.testing.Cli;
import org.batchq.testing.Duck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
  @TempDir Path dir;

  static final int ROUNDS = 3;
  static final int EPISODES = 20;

  String[] small(String name, String... extra) {
    List<String> args = new ArrayList<>(List.of("run", "--dir", dir.toString(), "--name", name, "--rounds",
        Integer.toString(ROUNDS), "--episodes", Integer.toString(EPISODES), "--iterations", "5",
        "--eval-episodes", "10", "--seed", "3"));
    args.addAll(List.of(extra));
    if (!args.contains("neural")) { // a tree option, refused for the neural net
      args.addAll(List.of("--trees", "10"));
    }
    return args.toArray(String[]::new);
  }

  @Test
  void aSmallRunLeavesEveryRoundReadableByTheOtherCommands() throws Exception {
    Cli.Result r = Cli.ok(small("r"));
    assertTrue(r.out().contains("best round") && r.out().contains("episode-length.png"), r.out());
    JsonNode manifest = Json.MAPPER.readTree(dir.resolve("runs/r.json").toFile());
    assertEquals(ROUNDS, manifest.get("rounds").size());
    Set<Long> ids = new HashSet<>();
    for (int k = 0; k < ROUNDS; k++) {
      Path data = dir.resolve(String.format("datasets/r/round-%02d.parquet", k));
      Path model = dir.resolve(String.format("models/r/round-%02d", k));
      Cli.ok("info", data.toString());
      Cli.ok("evaluate", model.toString(), "--episodes", "3");
      try (Duck duck = new Duck()) {
        for (List<Object> row : duck.query("SELECT DISTINCT episode_id FROM " + Duck.quote(data))) {
          assertTrue(ids.add(((Number) row.get(0)).longValue()), "episode ids unique across rounds");
        }
      }
    }
    assertEquals(ROUNDS * EPISODES, ids.size());
    Cli.ok("evaluate", dir.resolve("models/r/best").toString(), "--episodes", "3");
    for (String plot : List.of("bellman-loss", "episode-length")) {
      BufferedImage png = ImageIO.read(dir.resolve("plots/r/" + plot + ".png").toFile());
      assertEquals(1000, png.getWidth());
      assertEquals(600, png.getHeight());
      assertTrue(distinctColours(png) > 20, plot + " has drawn content");
      List<String> csv = Files.readAllLines(dir.resolve("plots/r/" + plot + ".csv"));
      assertTrue(csv.size() > ROUNDS, plot + ".csv has a row per round at least");
    }
  }

  /** --select ope chooses best by FQE on the episodes no round was fitted on, and still reports the online score. */
  @Test
  void selectOpeChoosesTheRoundWithTheHighestHeldOutFqeEstimate() throws Exception {
    Cli.Result r = Cli.ok(small("sel", "--select", "ope", "--gamma", "0.9"));
    assertTrue(r.out().contains("fqe_heldout") && r.out().contains("best chosen by FQE"), r.out());
    JsonNode manifest = Json.MAPPER.readTree(dir.resolve("runs/sel.json").toFile());
    JsonNode best = manifest.get("best");
    assertEquals("ope", best.get("selected_by").asText());
    JsonNode values = best.get("ope_values");
    assertEquals(ROUNDS, values.size());
    int argmax = 0;
    for (int k = 0; k < ROUNDS; k++) {
      double v = values.get(k).asDouble();
      assertTrue(v > 0 && v <= 1 / (1 - 0.9) + 1e-6, "a discounted value of reward 1 per step: " + v);
      argmax = v >= values.get(argmax).asDouble() ? k : argmax;
    }
    assertEquals(argmax, best.get("round").asInt());
    assertTrue(best.get("ope_episodes").asLong() > 0);
    assertTrue(manifest.get("rounds").get(0).has("eval_discounted_return"), "the online truth stays beside it");
  }

  /** On CartPole (reward 1 per step) the return is the length: the return fields and plot must say the same. */
  @Test
  void roundsAreScoredByReturnWithLengthsBeside() throws Exception {
    Cli.Result r = Cli.ok(small("ret"));
    assertTrue(r.out().contains("eval_return") && r.out().contains("episode-return.png"), r.out());
    JsonNode manifest = Json.MAPPER.readTree(dir.resolve("runs/ret.json").toFile());
    assertEquals(manifest.get("random_mean").asDouble(), manifest.get("random_mean_return").asDouble());
    List<String> csv = Files.readAllLines(dir.resolve("plots/ret/episode-return.csv"));
    assertEquals("round,behavior_mean_return,eval_mean_return,eval_std_return,eval_min_return,eval_max_return,"
        + "random_mean_return", csv.get(0));
    assertEquals(ROUNDS + 1, csv.size());
    for (int k = 0; k < ROUNDS; k++) {
      JsonNode round = manifest.get("rounds").get(k);
      assertEquals(round.get("eval_mean").asDouble(), round.get("eval_mean_return").asDouble(), "round " + k);
      assertEquals(round.get("behavior_mean_length").asDouble(), round.get("behavior_mean_return").asDouble());
      assertEquals(round.get("eval_mean_return").asDouble(), Double.parseDouble(csv.get(k + 1).split(",")[2]));
    }
    JsonNode best = manifest.get("best");
    assertEquals(best.get("eval_mean").asDouble(), best.get("eval_mean_return").asDouble());
    assertEquals(best.get("rescored_mean").asDouble(), best.get("rescored_mean_return").asDouble());
    BufferedImage png = ImageIO.read(dir.resolve("plots/ret/episode-return.png").toFile());
    assertEquals(1000, png.getWidth());
    assertTrue(distinctColours(png) > 20, "the return plot has drawn content");
  }

  /**
   * A carried Q that has run away (round 1's model made to overestimate by 10,000, far above the 100 any return of
   * CartPole's rewards can reach) is caught: with {@code --guard-refit zero} round 2 is fitted again from zero, and
   * the run manifest, the table and the value plot say so.
   */
  @Test
  void aRoundWhoseCarriedQRunsAwayIsFittedAgainFromZeroAndSaysSo() throws Exception {
    Cli.Result r = resumeAfterCarriedQRunsAway("g", "zero");
    assertTrue(r.out().contains("restarted from zero"), r.out());
    JsonNode rounds = Json.MAPPER.readTree(dir.resolve("runs/g.json").toFile()).get("rounds");
    JsonNode last = rounds.get(ROUNDS - 1);
    assertEquals("restarted from zero", last.get("guard").asText());
    assertTrue(last.get("diverged_initial_max_q").asDouble() > 5_000, last.toString());
    assertTrue(last.get("eval_initial_max_q").asDouble() <= last.get("value_bound").asDouble() * 1.05, last.toString());
    assertFalse(rounds.get(0).has("guard"), "a sound round has no guard entry");
    JsonNode refit = Json.MAPPER.readTree(dir.resolve(String.format("models/g/round-%02d/manifest.json", ROUNDS - 1))
        .toFile());
    assertTrue(refit.get("training").get("start_model") == null, "fitted again from zero");
    List<String> csv = Files.readAllLines(dir.resolve("plots/g/value-vs-return.csv"));
    assertTrue(csv.get(ROUNDS).contains("restarted from zero"), csv.toString());
    assertTrue(distinctColours(ImageIO.read(dir.resolve("plots/g/value-vs-return.png").toFile())) > 20);
  }

  /**
   * The same run-away with {@code --guard-refit clipped}: round 2 is fitted again from the same carried Q with its
   * targets clipped to the return range, which bounds it from the first backup on, so no restart from zero is needed.
   */
  @Test
  void withClippedRefitsARunawayRoundKeepsTheCarriedQAndClipsItsTargets() throws Exception {
    Cli.Result r = resumeAfterCarriedQRunsAway("gc", "clipped");
    assertTrue(r.out().contains("refitted with clipped targets"), r.out());
    JsonNode last = Json.MAPPER.readTree(dir.resolve("runs/gc.json").toFile()).get("rounds").get(ROUNDS - 1);
    assertEquals("refitted with clipped targets", last.get("guard").asText());
    assertTrue(last.get("diverged_initial_max_q").asDouble() > 5_000, last.toString());
    assertTrue(last.get("eval_initial_max_q").asDouble() <= last.get("value_bound").asDouble() * 1.05, last.toString());
    JsonNode training = Json.MAPPER.readTree(dir.resolve(String.format("models/gc/round-%02d/manifest.json",
        ROUNDS - 1)).toFile()).get("training");
    assertTrue(training.get("clip_targets").asBoolean(), training.toString());
    assertTrue(training.get("start_model") != null, "fitted again from the carried Q: " + training);
  }

  /**
   * The same run-away with {@code --guard-refit best}: round 2 is fitted again from the Q of the best round before
   * the carried one (round 0, the only one here), which is sound, so no restart from zero is needed.
   */
  @Test
  void withBestRefitsARunawayRoundStartsAgainFromTheBestEarlierRoundsQ() throws Exception {
    Cli.Result r = resumeAfterCarriedQRunsAway("gb", "best");
    assertTrue(r.out().contains("restarted from round 0"), r.out());
    JsonNode last = Json.MAPPER.readTree(dir.resolve("runs/gb.json").toFile()).get("rounds").get(ROUNDS - 1);
    assertEquals("restarted from round 0", last.get("guard").asText());
    assertTrue(last.get("diverged_initial_max_q").asDouble() > 5_000, last.toString());
    assertTrue(last.get("eval_initial_max_q").asDouble() <= last.get("value_bound").asDouble() * 1.05, last.toString());
    JsonNode training = Json.MAPPER.readTree(dir.resolve(String.format("models/gb/round-%02d/manifest.json",
        ROUNDS - 1)).toFile()).get("training");
    assertEquals("round-00", training.get("start_model").get("name").asText(), training.toString());
    assertFalse(training.get("clip_targets").asBoolean(), training.toString());
  }

  /**
   * With {@code --rollback} a round whose fit does significantly worse than the best earlier round, on the same
   * evaluation episodes, keeps that round's model: on this seed round 2's fit scores 53.5 against round 1's 156.4
   * over 10 episodes (the run without the option shows it), so round 2 keeps round 1's model, is scored as it,
   * and says so; round 1, better than round 0, keeps its own. Plain FQI targets ({@code --advantage-learning 0}),
   * on which this seed's round 2 is the worse one.
   */
  @Test
  void withRollbackARoundThatDoesSignificantlyWorseKeepsTheBestEarlierModel() throws Exception {
    Cli.ok(small("plain", "--advantage-learning", "0"));
    Cli.Result r = Cli.ok(small("rb", "--rollback", "--advantage-learning", "0"));
    JsonNode plain = Json.MAPPER.readTree(dir.resolve("runs/plain.json").toFile()).get("rounds");
    JsonNode rounds = Json.MAPPER.readTree(dir.resolve("runs/rb.json").toFile()).get("rounds");
    assertTrue(plain.get(2).get("eval_mean_return").asDouble() < plain.get(1).get("eval_mean_return").asDouble());
    assertFalse(rounds.get(1).has("rolled_back_to"), "an improving round keeps its own model");
    JsonNode last = rounds.get(2);
    assertEquals(1, last.get("rolled_back_to").asInt(), last.toString());
    assertEquals(plain.get(2).get("eval_mean_return").asDouble(), last.get("rejected_eval_mean_return").asDouble(),
        "the rejected fit is the fit the run without --rollback kept");
    assertEquals(rounds.get(1).get("eval_mean_return").asDouble(), last.get("eval_mean_return").asDouble(),
        "scored as the kept model, on the same episodes");
    for (String file : List.of("manifest.json", "q.json")) {
      assertArrayEquals(Files.readAllBytes(dir.resolve("models/rb/round-01").resolve(file)),
          Files.readAllBytes(dir.resolve("models/rb/round-02").resolve(file)), file);
    }
    assertTrue(r.out().contains("kept round 1 (fit scored 53.5)"), r.out());
  }

  /** Runs {@code name}, makes round 1's model overestimate by 10,000, forgets the last round, and resumes. */
  private Cli.Result resumeAfterCarriedQRunsAway(String name, String guardRefit) throws Exception {
    Cli.ok(small(name, "--guard-refit", guardRefit));
    Path model = dir.resolve("models/" + name + "/round-01");
    String booster = Files.readString(model.resolve("q.json"));
    java.util.regex.Matcher base = java.util.regex.Pattern.compile("\"base_score\":\"([^\"]+)\"").matcher(booster);
    assertTrue(base.find(), "a base score to move");
    Files.writeString(model.resolve("q.json"), base.replaceFirst("\"base_score\":\""
        + (Float.parseFloat(base.group(1)) + 10_000f) + "\""));
    ObjectNode modelManifest = (ObjectNode) Json.MAPPER.readTree(model.resolve("manifest.json").toFile());
    ((ObjectNode) modelManifest.get("files").get("q.json"))
        .put("bytes", Files.size(model.resolve("q.json")))
        .put("sha256", org.batchq.io.Hashing.sha256(model.resolve("q.json")));
    Files.writeString(model.resolve("manifest.json"), Json.write(modelManifest));
    Path manifest = dir.resolve("runs/" + name + ".json");
    ObjectNode m = (ObjectNode) Json.MAPPER.readTree(manifest.toFile());
    ((ArrayNode) m.get("rounds")).remove(ROUNDS - 1);
    m.remove("best");
    Files.writeString(manifest, Json.write(m));
    return Cli.ok(small(name, "--guard-refit", guardRefit, "--resume"));
  }

  static int distinctColours(BufferedImage img) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 3) {
      for (int x = 0; x < img.getWidth(); x += 3) {
        colours.add(img.getRGB(x, y));
      }
    }
    return colours.size();
  }

  @Test
  void growBatchFitsRoundKOnExactlyTheRowsOfRounds0ToK() throws Exception {
    Cli.ok(small("g"));
    Cli.ok(small("n", "--no-grow-batch", "--step-budget", "150")); // 20 episodes are ~400 rows: the budget binds
    JsonNode grow = Json.MAPPER.readTree(dir.resolve("runs/g.json").toFile()).get("rounds");
    JsonNode alone = Json.MAPPER.readTree(dir.resolve("runs/n.json").toFile()).get("rounds");
    try (Duck duck = new Duck()) {
      for (int k = 0; k < ROUNDS; k++) {
        long upToK = ((Number) duck.scalar("SELECT count(*) FROM read_parquet(["
            + String.join(",", java.util.stream.IntStream.rangeClosed(0, k)
                .mapToObj(i -> Duck.quote(dir.resolve(String.format("datasets/g/round-%02d.parquet", i)))).toList())
            + "])")).longValue();
        assertEquals(upToK, grow.get(k).get("fit_rows").asLong(), "round " + k);
        String own = Duck.quote(dir.resolve(String.format("datasets/n/round-%02d.parquet", k)));
        long ownRows = ((Number) duck.scalar("SELECT count(*) FROM " + own)).longValue();
        assertEquals(ownRows, alone.get(k).get("fit_rows").asLong(), "round " + k + " without growing");
        long lastEpisode = ((Number) duck.scalar("SELECT count(*) FROM " + own + " WHERE episode_id = (SELECT"
            + " max(episode_id) FROM " + own + ")")).longValue();
        assertTrue(ownRows >= 150 && ownRows - lastEpisode < 150, "round " + k + " stops at the step budget: "
            + ownRows + " rows");
      }
      // and the model manifest lists exactly those files
      JsonNode last = Json.MAPPER.readTree(dir.resolve(String.format("models/g/round-%02d/manifest.json", ROUNDS - 1))
          .toFile());
      assertEquals(ROUNDS, last.get("data").size());
    }
  }

  @Test
  void resumeAfterARoundIsDeletedHalfwayGivesTheSameFinalModel() throws Exception {
    Cli.ok(small("whole"));
    Cli.ok(small("cut"));
    // Simulate a run killed inside its last round: the round is not in the manifest, its model is half gone.
    Path manifest = dir.resolve("runs/cut.json");
    ObjectNode m = (ObjectNode) Json.MAPPER.readTree(manifest.toFile());
    ArrayNode rounds = (ArrayNode) m.get("rounds");
    rounds.remove(ROUNDS - 1);
    m.remove("best");
    // ... and written by a batchq from before --average-iterates, which a resume reads as plain FQI (1).
    JsonNode training = m.get("settings").get("training");
    assertEquals(1, training.get("average_iterates").asInt());
    ((ObjectNode) training).remove("average_iterates");
    Files.writeString(manifest, Json.write(m));
    Path lastModel = dir.resolve(String.format("models/cut/round-%02d", ROUNDS - 1));
    Files.delete(lastModel.resolve("q.json")); // the default algorithm's one booster

    Cli.Result refused = Cli.run(small("cut"));
    assertEquals(1, refused.exitCode(), "an existing run is not overwritten without --force or --resume");
    assertTrue(refused.err().contains("--force"), refused.err());

    Cli.ok(small("cut", "--resume"));
    assertArrayEquals(Files.readAllBytes(dir.resolve(String.format("models/whole/round-%02d/q.json", ROUNDS - 1))),
        Files.readAllBytes(lastModel.resolve("q.json")), "the resumed run's final booster, byte for byte");
    assertEquals(ROUNDS, Json.MAPPER.readTree(manifest.toFile()).get("rounds").size());

    Cli.Result otherSettings = Cli.run(small("cut", "--resume", "--epsilon", "0.3"));
    assertEquals(1, otherSettings.exitCode());
    assertTrue(otherSettings.err().contains("other settings"), otherSettings.err());
  }

  @Test
  void byDefaultTreeRoundsContinueFromThePreviousRoundsQ() throws Exception {
    Cli.ok(small("c"));
    Cli.ok(small("z", "--no-carry-q", "--advantage-learning", "0"));
    for (int k = 0; k < ROUNDS; k++) {
      JsonNode carried = Json.MAPPER.readTree(dir.resolve(String.format("models/c/round-%02d/manifest.json", k)).toFile());
      JsonNode fresh = Json.MAPPER.readTree(dir.resolve(String.format("models/z/round-%02d/manifest.json", k)).toFile());
      JsonNode start = carried.get("training").get("start_model");
      if (k == 0) {
        assertTrue(start == null, "round 0 starts from zero");
      } else {
        assertEquals(String.format("round-%02d", k - 1), start.get("name").asText());
        assertEquals(ModelBundle.manifest(dir.resolve(String.format("models/c/round-%02d", k - 1))).contentSha256(),
            start.get("sha256").asText());
        // From zero, the first iteration's initial max-Q is one step's reward; from the last round's Q it is more.
        assertTrue(carried.get("diagnostics").get(0).get("initial_max_q").asDouble() > 2, "round " + k + " carried");
      }
      assertTrue(fresh.get("training").get("start_model") == null, "without carrying round " + k + " starts from zero");
      assertEquals(1.0, fresh.get("diagnostics").get(0).get("initial_max_q").asDouble(), 1e-6);
    }
    assertTrue(Json.MAPPER.readTree(dir.resolve("runs/c.json").toFile()).get("settings").get("carry_q").asBoolean());
    assertFalse(Json.MAPPER.readTree(dir.resolve("runs/z.json").toFile()).get("settings").get("carry_q").asBoolean());
    assertEquals(1, Json.MAPPER.readTree(dir.resolve("runs/c.json").toFile()).get("settings").get("training")
        .get("average_iterates").asInt(), "single bootstraps from one fit");
    // single widens its action gaps by advantage learning (docs/RESULTS.md), in every round's model; a flag wins.
    assertEquals(RunCommand.SINGLE_ADVANTAGE_LEARNING, Json.MAPPER.readTree(dir.resolve("runs/c.json").toFile())
        .get("settings").get("training").get("advantage_learning").asDouble());
    assertEquals(RunCommand.SINGLE_ADVANTAGE_LEARNING, Json.MAPPER.readTree(dir.resolve(String.format(
        "models/c/round-%02d/manifest.json", ROUNDS - 1)).toFile()).get("training").get("advantage_learning")
        .asDouble());
    assertEquals(0, Json.MAPPER.readTree(dir.resolve("runs/z.json").toFile()).get("settings").get("training")
        .get("advantage_learning").asDouble(), "--advantage-learning 0: plain FQI");
    // multiple carries too, and bootstraps from the mean of its last 5 iterates, which is what kept its carried Q
    // from compounding its boosters' overestimates (docs/RESULTS.md); the model says so.
    Cli.ok(small("m", "--algorithm", "multiple"));
    JsonNode multiple = Json.MAPPER.readTree(dir.resolve("runs/m.json").toFile()).get("settings");
    assertTrue(multiple.get("carry_q").asBoolean());
    assertEquals(RunCommand.MULTIPLE_AVERAGE_ITERATES, multiple.get("training").get("average_iterates").asInt());
    JsonNode lastMultiple = Json.MAPPER.readTree(dir.resolve(String.format("models/m/round-%02d/manifest.json",
        ROUNDS - 1)).toFile()).get("training");
    assertEquals(RunCommand.MULTIPLE_AVERAGE_ITERATES, lastMultiple.get("average_iterates").asInt());
    assertEquals(String.format("round-%02d", ROUNDS - 2), lastMultiple.get("start_model").get("name").asText());
    // The neural net's carried Q diverged (docs/RESULTS.md): it starts each round from zero unless told otherwise.
    Cli.ok(small("nn", "--algorithm", "neural", "--nn-steps", "5"));
    assertFalse(Json.MAPPER.readTree(dir.resolve("runs/nn.json").toFile()).get("settings").get("carry_q").asBoolean());
    assertTrue(Json.MAPPER.readTree(dir.resolve("models/nn/round-02/manifest.json").toFile()).get("training")
        .get("start_model") == null);
  }

  @Test
  void forceStartsOver() throws Exception {
    Cli.ok(small("f"));
    Path stray = dir.resolve("datasets/f/round-07.parquet");
    Files.writeString(stray, "left over");
    Cli.ok(small("f", "--force"));
    assertTrue(!Files.exists(stray), "--force removes the old run's files");
  }
}
