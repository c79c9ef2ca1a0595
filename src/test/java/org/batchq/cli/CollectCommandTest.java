package org.batchq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.batchq.testing.Cli;
import org.batchq.testing.Duck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What collect writes, checked through DuckDB rather than batchq's own reader. */
class CollectCommandTest {
  @TempDir Path dir;

  @Test
  void writesWellFormedEpisodesThatDuckDbReads() throws Exception {
    Path out = dir.resolve("d.parquet");
    Cli.ok("collect", "--episodes", "60", "--seed", "3", "--out", out.toString());
    String f = Duck.quote(out);
    try (Duck duck = new Duck()) {
      long rows = ((Number) duck.scalar("SELECT count(*) FROM " + f)).longValue();
      assertTrue(rows > 60 * 8);
      assertEquals(60L, ((Number) duck.scalar("SELECT count(DISTINCT episode_id) FROM " + f)).longValue());
      assertEquals(0L, ((Number) duck.scalar(
          "SELECT count(*) FROM " + f + " WHERE len(obs) <> 4 OR len(next_obs) <> 4")).longValue());
      assertEquals((double) rows, ((Number) duck.scalar("SELECT sum(reward) FROM " + f)).doubleValue());
      // steps run 0..T-1 within each episode
      assertEquals(0L, ((Number) duck.scalar("SELECT count(*) FROM (SELECT episode_id, min(step) AS lo, max(step) AS hi,"
          + " count(*) AS n FROM " + f + " GROUP BY episode_id) WHERE lo <> 0 OR hi <> n - 1")).longValue());
      // the last row of each episode, and only it, ends the episode
      assertEquals(0L, ((Number) duck.scalar("SELECT count(*) FROM (SELECT *, max(step) OVER (PARTITION BY episode_id)"
          + " AS last FROM " + f + ") WHERE (step = last) <> (terminated OR truncated)")).longValue());
      // next_obs of each row is obs of the next row of the same episode
      assertEquals(0L, ((Number) duck.scalar("SELECT count(*) FROM (SELECT next_obs, lead(obs) OVER (PARTITION BY"
          + " episode_id ORDER BY step) AS following FROM " + f + ") WHERE following IS NOT NULL AND following <> next_obs"))
          .longValue());
      assertEquals(0L, ((Number) duck.scalar("SELECT count(*) FROM " + f + " WHERE behavior_prob <> 0.5")).longValue());
      // rows are stored in episode order
      List<List<Object>> order = duck.query("SELECT episode_id, step FROM " + f);
      for (int i = 1; i < order.size(); i++) {
        long e0 = ((Number) order.get(i - 1).get(0)).longValue();
        long e1 = ((Number) order.get(i).get(0)).longValue();
        assertTrue(e1 > e0 || (e1 == e0 && ((Number) order.get(i).get(1)).intValue()
            == ((Number) order.get(i - 1).get(1)).intValue() + 1), "row " + i + " out of order");
      }
      Object meta = duck.scalar("SELECT decode(value) FROM parquet_kv_metadata(" + f + ") WHERE decode(key) = 'batchq.env_id'");
      assertEquals("CartPole-v1", meta);
    }
  }

  @Test
  void mountainCarsRandomEpisodesHoldTheirActionsByDefaultAndSoReachTheGoal() throws Exception {
    Path held = dir.resolve("held.parquet");
    Path plain = dir.resolve("plain.parquet");
    Cli.ok("collect", "--env", "MountainCar-v0", "--episodes", "100", "--seed", "1", "--out", held.toString());
    Cli.ok("collect", "--env", "MountainCar-v0", "--episodes", "100", "--seed", "1", "--hold", "1", "--out",
        plain.toString());
    try (Duck duck = new Duck()) {
      String goal = " WHERE terminated";
      assertTrue(((Number) duck.scalar("SELECT count(*) FROM " + Duck.quote(held) + goal)).longValue() > 0);
      assertEquals(0L, ((Number) duck.scalar("SELECT count(*) FROM " + Duck.quote(plain) + goal)).longValue());
      assertEquals("{\"type\":\"random\",\"hold\":50}", duck.scalar("SELECT decode(value) FROM parquet_kv_metadata("
          + Duck.quote(held) + ") WHERE decode(key) = 'batchq.behavior_policy'"));
    }
  }

  @Test
  void aStepBudgetStopsAtTheFirstEpisodesThatReachIt() throws Exception {
    Path all = dir.resolve("all.parquet");
    Path budget = dir.resolve("budget.parquet");
    Cli.ok("collect", "--episodes", "80", "--seed", "4", "--out", all.toString());
    Cli.ok("collect", "--episodes", "80", "--seed", "4", "--step-budget", "400", "--envs", "7", "--out",
        budget.toString());
    try (Duck duck = new Duck()) {
      String b = Duck.quote(budget);
      long rows = ((Number) duck.scalar("SELECT count(*) FROM " + b)).longValue();
      long lastLength = ((Number) duck.scalar("SELECT count(*) FROM " + b + " WHERE episode_id = (SELECT max(episode_id)"
          + " FROM " + b + ")")).longValue();
      assertTrue(rows >= 400 && rows - lastLength < 400, rows + " rows, the last episode " + lastLength);
      // the same episodes as the first ones of the unbudgeted collection, row for row
      assertEquals(0L, ((Number) duck.scalar("SELECT count(*) FROM (SELECT * FROM " + b + " EXCEPT SELECT * FROM "
          + Duck.quote(all) + ")")).longValue());
      assertEquals(((Number) duck.scalar("SELECT max(episode_id) + 1 FROM " + b)).longValue(),
          ((Number) duck.scalar("SELECT count(DISTINCT episode_id) FROM " + b)).longValue(), "a prefix of episodes");
    }
  }

  @Test
  void theSameSeedGivesTheSameRowsWhateverTheNumberOfEnvironments() throws Exception {
    Path a = dir.resolve("a.parquet");
    Path b = dir.resolve("b.parquet");
    Path c = dir.resolve("c.parquet");
    Cli.ok("collect", "--episodes", "30", "--seed", "11", "--envs", "1", "--out", a.toString());
    Cli.ok("collect", "--episodes", "30", "--seed", "11", "--envs", "7", "--out", b.toString());
    Cli.ok("collect", "--episodes", "30", "--seed", "12", "--out", c.toString());
    try (Duck duck = new Duck()) {
      String q = "SELECT * FROM %s";
      List<List<Object>> rowsA = duck.query(String.format(q, Duck.quote(a)));
      assertEquals(rowsA, duck.query(String.format(q, Duck.quote(b))));
      assertFalse(rowsA.equals(duck.query(String.format(q, Duck.quote(c)))), "another seed, other rows");
    }
  }

  @Test
  void directoryOutputHoldsPartFilesThatReadAsOneDataset() throws Exception {
    Path out = dir.resolve("ds");
    Cli.ok("collect", "--episodes", "20", "--seed", "1", "--out", out.toString());
    assertTrue(Files.isDirectory(out));
    try (Duck duck = new Duck()) {
      long duckRows = ((Number) duck.scalar("SELECT count(*) FROM read_parquet(" + Duck.quote(out.resolve("*.parquet"))
          + ")")).longValue();
      JsonNode info = new ObjectMapper().readTree(Cli.ok("info", out.toString(), "--format", "json").out());
      assertEquals(duckRows, info.get("rows").asLong());
      // a glob, and several inputs at once, are read too; episodes count per (file, episode id)
      Path single = dir.resolve("one.parquet");
      Cli.ok("collect", "--episodes", "7", "--seed", "1", "--out", single.toString());
      JsonNode both = new ObjectMapper().readTree(Cli.ok("info", out.resolve("part-*.parquet").toString(),
          single.toString(), "--format", "json").out());
      assertEquals(27, both.get("episodes").asLong());
      assertEquals(2, both.get("files").size());
    }
  }

  @Test
  void anExistingOutputIsKeptWithoutForce() throws Exception {
    Path out = dir.resolve("d.parquet");
    Files.writeString(out, "precious");
    Cli.Result r = Cli.run("collect", "--episodes", "5", "--out", out.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains(out.getFileName().toString()) && r.err().contains("--force"), r.err());
    assertEquals("precious", Files.readString(out));
    Cli.ok("collect", "--episodes", "5", "--out", out.toString(), "--force");
    assertFalse(Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1).equals("precious"));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(out), files.toList(), "no temporary left behind");
    }
  }

  @Test
  void infoAgreesWithDuckDb() throws Exception {
    Path out = dir.resolve("d.parquet");
    Cli.ok("collect", "--episodes", "40", "--seed", "8", "--out", out.toString());
    JsonNode info = new ObjectMapper().readTree(Cli.ok("info", out.toString(), "--format", "json").out());
    String f = Duck.quote(out);
    try (Duck duck = new Duck()) {
      List<Object> row = duck.query("SELECT count(*), count(DISTINCT episode_id), avg(n), min(n), max(n), avg(ret),"
          + " stddev_samp(ret) FROM (SELECT episode_id, count(*) AS n, sum(reward) AS ret FROM " + f
          + " GROUP BY episode_id)").get(0);
      assertEquals(((Number) duck.scalar("SELECT count(*) FROM " + f)).longValue(), info.get("rows").asLong());
      assertEquals(((Number) row.get(1)).longValue(), info.get("episodes").asLong());
      assertEquals(((Number) row.get(2)).doubleValue(), info.get("length_mean").asDouble(), 1e-9);
      assertEquals(((Number) row.get(3)).longValue(), info.get("length_min").asLong());
      assertEquals(((Number) row.get(4)).longValue(), info.get("length_max").asLong());
      assertEquals(((Number) row.get(5)).doubleValue(), info.get("return_mean").asDouble(), 1e-9);
      assertEquals(((Number) row.get(6)).doubleValue(), info.get("return_std").asDouble(), 1e-6);
      assertEquals(((Number) duck.scalar("SELECT count(*) FROM " + f + " WHERE action = 1")).longValue(),
          info.get("action_counts").get(1).asLong());
      assertEquals(((Number) duck.scalar("SELECT count(*) FROM " + f + " WHERE terminated")).longValue(),
          info.get("terminated_endings").asLong());
    }
  }

  /** The data report's quantiles, shares and ranges, each as DuckDB computes it from the same file. */
  @Test
  void infoReportsQuantilesSharesAndRangesAsDuckDbComputesThem() throws Exception {
    Path out = dir.resolve("q.parquet");
    Cli.ok("collect", "--episodes", "57", "--seed", "9", "--out", out.toString());
    JsonNode info = new ObjectMapper().readTree(Cli.ok("info", out.toString(), "--format", "json").out());
    String f = Duck.quote(out);
    try (Duck duck = new Duck()) {
      String perEpisode = "(SELECT episode_id, count(*) AS n, sum(reward) AS ret FROM " + f + " GROUP BY episode_id)";
      for (String[] q : new String[][] {{"n", "lengths"}, {"ret", "returns"}}) {
        List<Object> row = duck.query("SELECT quantile_cont(" + q[0] + ", 0.05), quantile_cont(" + q[0] + ", 0.5),"
            + " quantile_cont(" + q[0] + ", 0.95), min(" + q[0] + "), max(" + q[0] + ") FROM " + perEpisode).get(0);
        JsonNode mine = info.get(q[1]);
        assertEquals(((Number) row.get(0)).doubleValue(), mine.get("p5").asDouble(), 1e-9, q[1] + " p5");
        assertEquals(((Number) row.get(1)).doubleValue(), mine.get("median").asDouble(), 1e-9, q[1] + " median");
        assertEquals(((Number) row.get(2)).doubleValue(), mine.get("p95").asDouble(), 1e-9, q[1] + " p95");
        assertEquals(((Number) row.get(3)).doubleValue(), mine.get("min").asDouble(), 1e-9, q[1] + " min");
        assertEquals(((Number) row.get(4)).doubleValue(), mine.get("max").asDouble(), 1e-9, q[1] + " max");
      }
      double share = ((Number) duck.scalar("SELECT avg(CASE WHEN action = 0 THEN 1.0 ELSE 0.0 END) FROM " + f))
          .doubleValue();
      assertEquals(share, info.get("action_shares").get(0).asDouble(), 1e-12);
      List<Object> probs = duck.query("SELECT min(behavior_prob), max(behavior_prob) FROM " + f).get(0);
      assertEquals(((Number) probs.get(0)).doubleValue(), info.get("behavior_prob_range").get(0).asDouble(), 1e-7);
      assertEquals(((Number) probs.get(1)).doubleValue(), info.get("behavior_prob_range").get(1).asDouble(), 1e-7);
      for (int k = 0; k < 4; k++) {
        List<Object> range = duck.query("SELECT min(obs[" + (k + 1) + "]), max(obs[" + (k + 1) + "]) FROM " + f)
            .get(0);
        assertEquals(((Number) range.get(0)).floatValue(), (float) info.get("observation_min").get(k).asDouble(),
            "observation " + k + " min");
        assertEquals(((Number) range.get(1)).floatValue(), (float) info.get("observation_max").get(k).asDouble(),
            "observation " + k + " max");
      }
    }
    String table = Cli.ok("info", out.toString()).out();
    assertTrue(table.contains("episode length p5 / median / p95") && table.contains("behaviour probabilities"), table);
    String csv = Cli.ok("info", out.toString(), "--format", "csv").out();
    assertTrue(csv.startsWith("property,value\n"), csv);
  }
}
