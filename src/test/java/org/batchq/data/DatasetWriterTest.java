package org.batchq.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.batchq.policy.RandomPolicy;
import org.batchq.rollout.Rollout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetWriterTest {
  @TempDir Path dir;

  static DatasetMetadata meta() {
    return new DatasetMetadata(DatasetSchema.FORMAT_VERSION, "CartPole-v1", 4, 2, "{\"type\":\"random\"}", 1, "test", null);
  }

  @Test
  void nothingHasTheFinalNameUntilCommitAndAnAbandonedWriteLeavesNothing() throws Exception {
    Path out = dir.resolve("x.parquet");
    try (DatasetWriter w = DatasetWriter.open(out, meta(), false)) {
      Rollout.run(new Rollout.Plan("CartPole-v1", 3000, 16, 1, 0, 0), new RandomPolicy(2), e -> {
        w.write(e);
        assertFalse(Files.exists(out), "final name visible while writing");
      });
      assertTrue(w.rows() > DatasetWriter.BATCH_ROWS, "some batches were flushed before commit");
      assertFalse(Files.exists(out));
      w.commit();
    }
    assertTrue(Files.exists(out));
    Path abandoned = dir.resolve("y.parquet");
    try (DatasetWriter w = DatasetWriter.open(abandoned, meta(), false)) {
      Rollout.run(new Rollout.Plan("CartPole-v1", 10, 4, 1, 0, 0), new RandomPolicy(2), w::write);
      // no commit: as if the process failed here
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of(out), files.toList());
    }
  }

  @Test
  void readsBackExactlyWhatWasWritten() {
    Path out = dir.resolve("r.parquet");
    List<Episode> episodes = new java.util.ArrayList<>();
    try (DatasetWriter w = DatasetWriter.open(out, meta(), false)) {
      Rollout.run(new Rollout.Plan("CartPole-v1", 25, 4, 2, 0, 0), new RandomPolicy(2), e -> {
        episodes.add(e);
        w.write(e);
      });
      w.commit();
    }
    Dataset ds = Dataset.open(List.of(out.toString()), ColumnMapping.BATCHQ, null);
    int[] row = {0};
    int[] ep = {0};
    ds.forEachBatch((file, b) -> {
      for (int r = 0; r < b.rows(); r++) {
        Episode e = episodes.get(ep[0]);
        int t = row[0];
        assertEquals(e.id(), b.episodeId(r));
        assertEquals(t, b.step(r));
        assertEquals(e.actions()[t], b.action(r));
        for (int k = 0; k < 4; k++) {
          assertEquals(e.obs()[t * 4 + k], b.obs(r, k));
          assertEquals(e.nextObs()[t * 4 + k], b.nextObs(r, k));
        }
        boolean last = t == e.length() - 1;
        assertEquals(last && e.terminated(), b.terminated(r));
        row[0]++;
        if (last) {
          ep[0]++;
          row[0] = 0;
        }
      }
    });
    assertEquals(episodes.size(), ep[0]);
  }

  @Test
  void partFilesEndBetweenEpisodes() throws Exception {
    Path out = dir.resolve("parts");
    try (DatasetWriter w = DatasetWriter.open(out, meta(), false, 1000)) {
      Rollout.run(new Rollout.Plan("CartPole-v1", 300, 8, 3, 0, 0), new RandomPolicy(2), w::write);
      w.commit();
    }
    try (var files = Files.list(out)) {
      assertTrue(files.filter(f -> f.toString().endsWith(".parquet")).count() > 3, "several parts");
    }
    try (org.batchq.testing.Duck duck = new org.batchq.testing.Duck()) {
      String parts = org.batchq.testing.Duck.quote(out.resolve("*.parquet"));
      assertEquals(0L, ((Number) duck.scalar("SELECT count(*) FROM (SELECT episode_id FROM read_parquet(" + parts
          + ", filename = true) GROUP BY episode_id HAVING count(DISTINCT filename) > 1)")).longValue(),
          "no episode spans two part files");
    }
    assertEquals(300, DatasetSummary.of(Dataset.open(List.of(out.toString()), ColumnMapping.BATCHQ, null)).episodes());
  }
}
