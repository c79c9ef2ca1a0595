package org.batchq.cli;

import java.util.ArrayList;
import java.util.List;
import org.batchq.data.ColumnMapping;
import org.batchq.data.Dataset;
import org.batchq.data.DatasetSchema;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Input datasets and, for files written by other tools, which column holds what (docs/fit.md). */
public final class DataOptions {
  @Parameters(arity = "1..*", paramLabel = "DATA", description = "Parquet files, directories of part files, or globs.")
  List<String> paths = new ArrayList<>();

  public List<String> paths() {
    return paths;
  }

  /** The --env option, or null. */
  public String env() {
    return env;
  }

  @Option(names = "--env", description = "Environment the data comes from, for files without batchq metadata;"
      + " without it such files are a log of a system batchq does not simulate (docs/fit.md).")
  String env;

  @Option(names = "--actions", paramLabel = "N",
      description = "Number of actions of a log without a simulator (default: the largest action in the data + 1,"
          + " which the output says).")
  Integer actions;

  @ArgGroup(validate = false, heading = "%nData mapping (files written by other tools; docs/fit.md):%n", order = 5)
  Columns columns = new Columns();

  /** Which column holds what; batchq's own names by default. */
  static final class Columns {
    @Option(names = "--obs-col", description = "List column of observations (default: obs).")
    String obsCol = DatasetSchema.OBS;

    @Option(names = "--next-obs-col", description = "List column of next observations (default: next_obs).")
    String nextObsCol = DatasetSchema.NEXT_OBS;

    @Option(names = "--obs-cols", split = ",", description = "Scalar observation columns, in order (instead of --obs-col).")
    List<String> obsCols;

    @Option(names = "--next-obs-cols", split = ",", description = "Scalar next-observation columns, in order.")
    List<String> nextObsCols;

    @Option(names = "--action-col", description = "Action column, any integer type (default: action).")
    String actionCol = DatasetSchema.ACTION;

    @Option(names = "--action-values", split = ",", paramLabel = "NAMES",
        description = "For an action column of names: the names in action order (the first is action 0).")
    List<String> actionValues;

    @Option(names = "--reward-col", description = "Reward column (default: reward).")
    String rewardCol = DatasetSchema.REWARD;

    @Option(names = "--terminated-col", description = "Termination column, or 'none' (default: terminated).")
    String terminatedCol = DatasetSchema.TERMINATED;

    @Option(names = "--truncated-col", description = "Time-limit column, or 'none' (default: truncated).")
    String truncatedCol = DatasetSchema.TRUNCATED;

    @Option(names = "--episode-col", description = "Episode id column, or 'none' (default: episode_id).")
    String episodeCol = DatasetSchema.EPISODE_ID;

    @Option(names = "--behavior-prob-col",
        description = "Column of the probability the logging policy gave each action, read when present (default:"
            + " behavior_prob).")
    String behaviorProbCol = DatasetSchema.BEHAVIOR_PROB;

    @Option(names = "--step-col",
        description = "A log with one row per step and no next-observation columns: the column that orders an"
            + " episode's rows; each row's next observation is the next row's (docs/fit.md).")
    String stepCol;

    @Option(names = "--done-col", description = "A single 'done' column; requires --done-means.")
    String doneCol;

    @Option(names = "--done-means", description = "What --done-col means: terminated or truncated (never guessed).")
    String doneMeans;
  }

  public ColumnMapping mapping() {
    if (columns.stepCol == null && (columns.obsCols == null) != (columns.nextObsCols == null)) {
      throw new IllegalArgumentException("--obs-cols and --next-obs-cols go together");
    }
    String terminated = none(columns.terminatedCol);
    String truncated = none(columns.truncatedCol);
    if (columns.doneCol != null || columns.doneMeans != null) {
      if (columns.doneCol == null || columns.doneMeans == null) {
        throw new IllegalArgumentException("--done-col and --done-means go together (state what done means)");
      }
      switch (columns.doneMeans) {
        case "terminated" -> {
          terminated = columns.doneCol;
          truncated = null;
        }
        case "truncated" -> {
          truncated = columns.doneCol;
          terminated = null;
        }
        default -> throw new IllegalArgumentException("--done-means must be terminated or truncated, not '" + columns.doneMeans + "'");
      }
    }
    if (columns.stepCol != null && (columns.nextObsCols != null || !DatasetSchema.NEXT_OBS.equals(columns.nextObsCol))) {
      throw new IllegalArgumentException("--step-col takes each next observation from the next row: it goes"
          + " without --next-obs-col(s)");
    }
    List<String> obs = columns.obsCols != null ? columns.obsCols : List.of(columns.obsCol);
    List<String> next = columns.stepCol != null ? List.of()
        : columns.nextObsCols != null ? columns.nextObsCols : List.of(columns.nextObsCol);
    return new ColumnMapping(none(columns.episodeCol), obs, next, columns.actionCol, columns.rewardCol, terminated,
        truncated, columns.behaviorProbCol, columns.actionValues, columns.stepCol);
  }

  /** Whether --behavior-prob-col was given: then the column must be there. */
  boolean behaviorProbColumnGiven() {
    return !DatasetSchema.BEHAVIOR_PROB.equals(columns.behaviorProbCol);
  }

  /** {@code --actions}: the action count of a log without a simulator (null: not given). */
  public Integer actions() {
    return actions;
  }

  /** Opens the data; what had to be assumed or dropped to read it is said on standard error. */
  public Dataset open() {
    Dataset dataset = Dataset.open(paths, mapping(), env, actions);
    dataset.notices().forEach(n -> System.err.println("batchq: " + n));
    return dataset;
  }

  private static String none(String column) {
    return "none".equals(column) ? null : column;
  }
}
