package org.batchq.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What a dataset holds, computed in one streaming pass: episodes are counted as (file, episode id) pairs, and an
 * episode also ends at any row flagged terminated or truncated (for files without an episode column).
 *
 * @param lengths episode lengths' quantiles; {@code returns} likewise for episode returns (sums of rewards)
 * @param actionShares each action's share of the rows
 * @param behaviorProbRange [min, max] of the logged behaviour probabilities, or null when the log has none
 * @param observationMin each observation dimension's smallest value; {@code observationMax} its largest
 */
public record DatasetSummary(
    List<String> files, String envId, long rows, long episodes, double lengthMean, long lengthMin, long lengthMax,
    double returnMean, double returnStd, long[] actionCounts, long terminatedEndings, long truncatedEndings,
    List<String> behaviorPolicies, List<String> seeds, String schema, Quantiles lengths, Quantiles returns,
    double[] actionShares, double[] behaviorProbRange, float[] observationMin, float[] observationMax) {

  /** Order statistics, interpolated linearly between ranks (numpy's default, DuckDB's quantile_cont). */
  public record Quantiles(double min, double p5, double median, double p95, double max) {
    static Quantiles of(double[] values) {
      double[] v = values.clone();
      Arrays.sort(v);
      return new Quantiles(at(v, 0), at(v, 0.05), at(v, 0.5), at(v, 0.95), at(v, 1));
    }

    private static double at(double[] sorted, double q) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      double pos = q * (sorted.length - 1);
      int lo = (int) Math.floor(pos);
      int hi = Math.min(lo + 1, sorted.length - 1);
      return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
  }

  public static DatasetSummary of(Dataset dataset) {
    int actions = dataset.env().actionCount();
    long[] actionCounts = new long[actions];
    int d = dataset.env().observationSize();
    float[] obsMin = new float[d];
    float[] obsMax = new float[d];
    Arrays.fill(obsMin, Float.POSITIVE_INFINITY);
    Arrays.fill(obsMax, Float.NEGATIVE_INFINITY);
    double[] probRange = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
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
        for (int k = 0; k < d; k++) {
          obsMin[k] = Math.min(obsMin[k], b.obs(r, k));
          obsMax[k] = Math.max(obsMax[k], b.obs(r, k));
        }
        float p = b.behaviorProb(r);
        if (!Float.isNaN(p)) { // NaN: the log has no behaviour probabilities
          probRange[0] = Math.min(probRange[0], p);
          probRange[1] = Math.max(probRange[1], p);
        }
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
        new ArrayList<>(seeds), String.join(", ", DatasetSchema.COLUMNS),
        Quantiles.of(acc.lengths.stream().mapToDouble(Long::doubleValue).toArray()),
        Quantiles.of(acc.returns.stream().mapToDouble(Double::doubleValue).toArray()),
        Arrays.stream(actionCounts).mapToDouble(c -> acc.rows == 0 ? Double.NaN : (double) c / acc.rows).toArray(),
        probRange[0] <= probRange[1] ? probRange : null, obsMin, obsMax);
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
    final List<Long> lengths = new ArrayList<>();
    final List<Double> returns = new ArrayList<>();

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
      lengths.add(length);
      returns.add(ret);
      length = 0;
      ret = 0;
    }
  }
}
