package org.batchq.data;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What a dataset holds, computed in one streaming pass: episodes are counted as (file, episode id) pairs, and an
 * episode also ends at any row flagged terminated or truncated (for files without an episode column).
 */
public record DatasetSummary(
    List<String> files, String envId, long rows, long episodes, double lengthMean, long lengthMin, long lengthMax,
    double returnMean, double returnStd, long[] actionCounts, long terminatedEndings, long truncatedEndings,
    List<String> behaviorPolicies, List<String> seeds, String schema) {

  public static DatasetSummary of(Dataset dataset) {
    int actions = dataset.env().actionCount();
    long[] actionCounts = new long[actions];
    Accumulator acc = new Accumulator();
    dataset.forEachBatch((file, b) -> {
      if (file != acc.file) {
        acc.endEpisode(); // an episode never spans files
        acc.file = file;
      }
      for (int r = 0; r < b.rows(); r++) {
        long id = b.episodeId(r);
        if (acc.length > 0 && id != acc.episode) {
          acc.endEpisode();
        }
        acc.episode = id;
        acc.length++;
        acc.ret += b.reward(r);
        actionCounts[b.action(r)]++;
        if (b.terminated(r) || b.truncated(r)) {
          acc.terminated += b.terminated(r) ? 1 : 0;
          acc.truncated += b.truncated(r) ? 1 : 0;
          acc.endEpisode();
        }
      }
      acc.rows += b.rows();
    });
    acc.endEpisode();
    LinkedHashSet<String> policies = new LinkedHashSet<>();
    LinkedHashSet<String> seeds = new LinkedHashSet<>();
    for (Dataset.Source s : dataset.sources()) {
      policies.add(s.metadata().map(DatasetMetadata::behaviorPolicy).orElse("(not recorded)"));
      seeds.add(s.metadata().map(m -> Long.toString(m.seed())).orElse("(not recorded)"));
    }
    long n = acc.episodes;
    double mean = n == 0 ? Double.NaN : acc.retSum / n;
    double var = n < 2 ? 0 : (acc.retSq - n * mean * mean) / (n - 1);
    return new DatasetSummary(
        dataset.sources().stream().map(s -> s.file().toString()).toList(), dataset.env().id(), acc.rows, n,
        n == 0 ? Double.NaN : (double) acc.lengthSum / n, n == 0 ? 0 : acc.lengthMin, acc.lengthMax, mean,
        Math.sqrt(Math.max(var, 0)), actionCounts, acc.terminated, acc.truncated, new ArrayList<>(policies),
        new ArrayList<>(seeds), String.join(", ", DatasetSchema.COLUMNS));
  }

  public String toJson() {
    return org.batchq.io.Json.write(this);
  }

  private static final class Accumulator {
    int file = -1;
    long episode;
    long length;
    double ret;
    long rows;
    long episodes;
    long lengthSum;
    long lengthMin = Long.MAX_VALUE;
    long lengthMax;
    double retSum;
    double retSq;
    long terminated;
    long truncated;

    void endEpisode() {
      if (length == 0) {
        return;
      }
      episodes++;
      lengthSum += length;
      lengthMin = Math.min(lengthMin, length);
      lengthMax = Math.max(lengthMax, length);
      retSum += ret;
      retSq += ret * ret;
      length = 0;
      ret = 0;
    }
  }
}
