package org.batchq.data;

import java.util.List;

/**
 * Which columns of a Parquet file hold which part of a transition, so that logs written by other tools can be read.
 * An observation is either one list column ({@code obs} of size 1 naming a list) or several scalar columns, one per
 * component; float32 or float64; actions of any integer type.
 *
 * @param episode the episode id column, or null when the file has none (validation then splits contiguous blocks)
 * @param terminated the column whose true value ends an episode without bootstrapping (a {@code done} column
 *     may be named here when the user states that done means terminated), or null when the data has none
 * @param truncated the time-limit column, or null when the data has none
 * @param behaviorProb the column of the probability the logging policy gave each row's action, read when the file
 *     has it (every value must lie in (0, 1])
 */
public record ColumnMapping(
    String episode, List<String> obs, List<String> nextObs, String action, String reward, String terminated,
    String truncated, String behaviorProb) {

  /** batchq's own schema. */
  public static final ColumnMapping BATCHQ = new ColumnMapping(DatasetSchema.EPISODE_ID, List.of(DatasetSchema.OBS),
      List.of(DatasetSchema.NEXT_OBS), DatasetSchema.ACTION, DatasetSchema.REWARD, DatasetSchema.TERMINATED,
      DatasetSchema.TRUNCATED, DatasetSchema.BEHAVIOR_PROB);

  public ColumnMapping {
    obs = List.copyOf(obs);
    nextObs = List.copyOf(nextObs);
    if (obs.size() != nextObs.size()) {
      throw new IllegalArgumentException("observation and next-observation columns differ in number: " + obs + " vs " + nextObs);
    }
  }
}
