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
 * @param actionValues for an action column of names (strings): the names in action order, the first being action 0;
 *     null for a column of numbers
 * @param step for a log with one row per step and no next-observation columns: the column that orders an
 *     episode's rows (each row's next observation is the next row's observation); null for one row per transition
 */
public record ColumnMapping(
    String episode, List<String> obs, List<String> nextObs, String action, String reward, String terminated,
    String truncated, String behaviorProb, List<String> actionValues, String step) {

  /** batchq's own schema. */
  public static final ColumnMapping BATCHQ = new ColumnMapping(DatasetSchema.EPISODE_ID, List.of(DatasetSchema.OBS),
      List.of(DatasetSchema.NEXT_OBS), DatasetSchema.ACTION, DatasetSchema.REWARD, DatasetSchema.TERMINATED,
      DatasetSchema.TRUNCATED, DatasetSchema.BEHAVIOR_PROB, null, null);

  /** Whether each row is one step, its next observation on the episode's next row. */
  public boolean oneRowPerStep() {
    return step != null;
  }

  public ColumnMapping {
    obs = List.copyOf(obs);
    nextObs = List.copyOf(nextObs);
    actionValues = actionValues == null ? null : List.copyOf(actionValues);
    if (actionValues != null && (actionValues.isEmpty() || actionValues.stream().distinct().count() != actionValues.size())) {
      throw new IllegalArgumentException("--action-values must list distinct names (got " + actionValues + ")");
    }
    if (step != null && episode == null) {
      throw new IllegalArgumentException("--step-col pairs each row with the next row of its episode: name the"
          + " episode column too (--episode-col)");
    }
    if (step == null && obs.size() != nextObs.size()) {
      throw new IllegalArgumentException("observation and next-observation columns differ in number: " + obs + " vs " + nextObs);
    }
  }
}
