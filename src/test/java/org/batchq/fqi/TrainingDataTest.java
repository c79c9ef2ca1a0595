package org.batchq.fqi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.batchq.data.ColumnMapping;
import org.batchq.data.Dataset;
import org.batchq.testing.Duck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDataTest {
  @TempDir Path dir;

  /** Three episodes written by DuckDB: one fails (terminated), one hits the time limit (truncated), one has both. */
  Path threeEpisodes() {
    Path f = dir.resolve("three.parquet");
    try (Duck duck = new Duck()) {
      duck.execute("COPY (SELECT * FROM (VALUES"
          + " (0::BIGINT, 0, [0.1,0,0,0]::FLOAT[], 1, 1.0::FLOAT, [0.2,0,0,0]::FLOAT[], false, false, 0.5::FLOAT),"
          + " (0, 1, [0.2,0,0,0], 0, 1.0, [0.3,0,0,0], true, false, 0.5),"
          + " (1, 0, [0.4,0,0,0], 1, 1.0, [0.5,0,0,0], false, true, 0.5),"
          + " (2, 0, [0.6,0,0,0], 0, 1.0, [0.7,0,0,0], true, true, 0.5))"
          + " AS t(episode_id, step, obs, action, reward, next_obs, terminated, truncated, behavior_prob))"
          + " TO " + Duck.quote(f) + " (FORMAT parquet)");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return f;
  }

  @Test
  void onlyTerminationStopsTheBootstrapNotTheTimeLimit() {
    Dataset ds = Dataset.open(List.of(threeEpisodes().toString()), ColumnMapping.BATCHQ, "CartPole-v1");
    FqiData train = TrainingData.decode(ds).split(0, 1).train();
    assertEquals(4, train.rows());
    assertFalse(train.terminal()[0]);
    assertTrue(train.terminal()[1], "terminated");
    assertFalse(train.terminal()[2], "truncated only: a time limit is not a failure");
    assertTrue(train.terminal()[3], "both flags: Gymnasium reports a failure on the last allowed step");
    assertEquals(List.of(0, 2, 3), java.util.Arrays.stream(train.initialRows()).boxed().toList());
  }

  @Test
  void theValidationSplitKeepsEpisodesWholeAndFollowsTheSeed() throws Exception {
    Path f = dir.resolve("d.parquet");
    org.batchq.testing.Cli.ok("collect", "--episodes", "200", "--seed", "4", "--out", f.toString());
    Dataset ds = Dataset.open(List.of(f.toString()), ColumnMapping.BATCHQ, null);
    TrainingData.Split a = TrainingData.decode(ds).split(0.25, 9);
    TrainingData.Split b = TrainingData.decode(ds).split(0.25, 9);
    assertEquals(200, a.episodes());
    assertTrue(a.validEpisodes() > 25 && a.validEpisodes() < 75, "about a quarter held out: " + a.validEpisodes());
    assertEquals(a.valid().rows(), b.valid().rows());
    assertEquals(ds.rows(), a.train().rows() + a.valid().rows());
    // whole episodes: every held-out episode contributes exactly one initial state
    assertEquals(a.validEpisodes(), a.valid().initialRows().length);
    assertEquals(a.episodes() - a.validEpisodes(), a.train().initialRows().length);
  }
}
