package org.batchq.spark;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.batchq.data.ColumnMapping;
import org.batchq.data.DatasetMetadata;
import org.batchq.data.DatasetSchema;
import org.batchq.env.EnvSpec;
import org.batchq.fqi.RewardTransform;
import org.batchq.fqi.TrainingData;
import org.batchq.io.BadInputException;
import org.batchq.io.Hashing;
import org.batchq.model.Manifest;

/**
 * Reads transitions with Spark into the frame {@link SparkFqi} iterates over, with the same column mapping, the
 * same checks and the same held-out episodes as the local engine (docs/spark.md).
 *
 * <p>The frame has one row per transition: {@code obs} and {@code next_obs} (array&lt;float&gt;), {@code action}
 * (int), {@code reward} (float, after the reward transform), {@code terminal}, {@code initial} and {@code held}
 * (boolean), partitioned into one partition per XGBoost worker and cached.
 */
final class SparkData {
  /**
   * The loaded data and the facts a manifest records about it.
   *
   * @param hasInitial whether rows that start an episode are known (a step column), for the initial-state max-Q
   */
  record Loaded(Dataset<Row> frame, EnvSpec env, List<Manifest.DataFile> files, List<String> paths, long rows,
      long trainRows, long episodes, long validEpisodes, boolean hasInitial, String describe) {}

  private SparkData() {}

  static Loaded load(SparkSession spark, List<String> paths, ColumnMapping mapping, String envOption,
      Integer actions, double validationFraction, long seed, RewardTransform reward, int partitions) {
    Dataset<Row> raw = read(spark, paths);
    List<String> files = Arrays.stream(raw.inputFiles()).sorted().toList();
    String describe = files.isEmpty() ? String.join(", ", paths)
        : files.size() == 1 ? files.get(0) : files.get(0) + " and " + (files.size() - 1) + " more files";
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Column obs = observations(raw, mapping.obs(), describe);
    Column nextObs = observations(raw, mapping.nextObs(), describe);
    require(raw, mapping.action(), describe, IntegralType.class, "an integer column");
    EnvSpec env = environment(raw, files, obs, mapping.action(), envOption, actions, hadoop, describe);

    int d = env.observationSize();
    require(raw, mapping.reward(), describe, NumericType.class, "a numeric column");
    Column terminated = flag(raw, mapping.terminated(), describe);
    Column truncated = flag(raw, mapping.truncated(), describe);
    if (mapping.episode() == null && validationFraction > 0) {
      throw new IllegalArgumentException("the Spark engine holds out whole episodes and needs an episode column"
          + " (--episode-col); without one pass --validation-fraction 0");
    }
    Column episode = mapping.episode() == null ? lit(-1L) : require(raw, mapping.episode(), describe,
        IntegralType.class, "an integer column").cast(DataTypes.LongType);
    boolean hasInitial = Arrays.asList(raw.columns()).contains(DatasetSchema.STEP);
    Column initial = hasInitial ? col(DatasetSchema.STEP).equalTo(0) : lit(false);

    Map<String, Integer> fileIndex = new HashMap<>();
    for (int i = 0; i < files.size(); i++) {
      fileIndex.put(files.get(i), i);
    }
    UserDefinedFunction indexOf = udf((String f) -> fileIndex.getOrDefault(f, -1), DataTypes.IntegerType);
    // The local engine's rule, so both engines hold out the same episodes.
    UserDefinedFunction heldOut = udf((Integer file, Long id) -> TrainingData.heldOut(seed, file, id,
        validationFraction), DataTypes.BooleanType);

    Dataset<Row> mapped = raw.select(
        indexOf.apply(input_file_name()).as("file"),
        episode.as("episode"),
        obs.as("obs"),
        nextObs.as("next_obs"),
        col(mapping.action()).cast(DataTypes.IntegerType).as("action"),
        col(mapping.reward()).cast(DataTypes.FloatType).as("reward"),
        terminated.as("terminal"),
        truncated.as("truncated"),
        initial.as("initial"));
    check(mapped, describe, d, env.actionCount());

    Column rewardColumn = reward == RewardTransform.FAILURE
        ? when(col("terminal"), lit(-1f)).otherwise(lit(0f)) : col("reward");
    Dataset<Row> frame = mapped
        .withColumn("held", heldOut.apply(col("file"), col("episode")))
        .withColumn("reward", rewardColumn);
    Row counts = frame.agg(
        expr("count(*)"),
        sum(when(col("held"), 1).otherwise(0)),
        countDistinct(col("file"), col("episode")),
        countDistinct(when(col("held"), expr("struct(file, episode)")))).first();
    long rows = counts.getLong(0);
    long heldRows = counts.isNullAt(1) ? 0 : counts.getLong(1);
    long episodes = mapping.episode() == null ? 0 : counts.getLong(2);
    long validEpisodes = counts.getLong(3);
    if (heldRows == rows) {
      // Every episode drawn for validation (a tiny dataset): train on all of it, as the local engine does.
      frame = frame.withColumn("held", lit(false));
      heldRows = 0;
      validEpisodes = 0;
    }
    frame = frame.select("obs", "next_obs", "action", "reward", "terminal", "initial", "held")
        .repartition(partitions)
        .cache();
    return new Loaded(frame, env, provenance(raw, files, hadoop), files, rows, rows - heldRows, episodes,
        validEpisodes, hasInitial, describe);
  }

  private static Dataset<Row> read(SparkSession spark, List<String> paths) {
    try {
      return spark.read().parquet(paths.toArray(String[]::new));
    } catch (Exception e) { // AnalysisException for a missing path, SparkException for an unreadable footer
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      if (first.contains("PATH_NOT_FOUND") || first.contains("Path does not exist")) {
        throw new BadInputException(String.join(", ", paths), "no such file or directory");
      }
      throw new BadInputException(String.join(", ", paths), "not readable as Parquet (" + first + ")");
    }
  }

  /**
   * The environment the files' batchq metadata and --env agree on, settled by the core's rule; for files with
   * neither, a log without a simulator whose width is the first row's and whose action count is --actions or
   * taken from the largest action, as the local engine settles it (the assumption said on standard error).
   */
  private static EnvSpec environment(Dataset<Row> raw, List<String> files, Column obs, String action,
      String envOption, Integer actions, Configuration hadoop, String describe) {
    List<Optional<DatasetMetadata>> metadata = files.stream().map(f -> metadata(f, hadoop)).toList();
    if (envOption != null || metadata.stream().anyMatch(Optional::isPresent)) {
      EnvSpec env = DatasetMetadata.settle(files, metadata, envOption);
      DatasetMetadata.requireActions(env, actions, describe);
      return env;
    }
    if (actions != null && actions < 1) {
      throw new BadInputException(describe, "--actions must be at least 1 (got " + actions + ")");
    }
    Row first = raw.select(size(obs)).first(); // every row's width is then checked against it
    Row largest = raw.agg(max(col(action))).first();
    if (first == null || largest.isNullAt(0)) {
      throw new BadInputException(describe, "holds no transitions");
    }
    DatasetMetadata.Settled settled = DatasetMetadata.ofLog(first.getInt(0), actions,
        ((Number) largest.get(0)).longValue(), describe);
    if (settled.assumption() != null) {
      System.err.println("batchq: " + settled.assumption());
    }
    return settled.env();
  }

  private static Optional<DatasetMetadata> metadata(String file, Configuration hadoop) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file);
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, hadoop))) {
      return DatasetMetadata.fromKeyValues(reader.getFooter().getFileMetaData().getKeyValueMetaData());
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(file, "not a readable Parquet file (" + e.getMessage() + ")");
    }
  }

  /** One list column, or several scalar columns, as array&lt;float&gt;. */
  private static Column observations(Dataset<Row> raw, List<String> names, String describe) {
    if (names.size() == 1) {
      StructField f = field(raw, names.get(0), describe);
      if (!(f.dataType() instanceof ArrayType a) || !(a.elementType() instanceof NumericType)) {
        throw new BadInputException(describe, "column '" + f.name() + "' is " + f.dataType().simpleString()
            + ", expected a list of numbers (or name scalar columns with --obs-cols and --next-obs-cols)");
      }
      return col(f.name()).cast(DataTypes.createArrayType(DataTypes.FloatType));
    }
    List<Column> parts = new ArrayList<>();
    for (String n : names) {
      parts.add(require(raw, n, describe, NumericType.class, "a numeric column").cast(DataTypes.FloatType));
    }
    return array(parts.toArray(Column[]::new));
  }

  private static Column flag(Dataset<Row> raw, String name, String describe) {
    if (name == null) {
      return lit(false);
    }
    StructField f = field(raw, name, describe);
    if (!f.dataType().equals(DataTypes.BooleanType) && !(f.dataType() instanceof IntegralType)) {
      throw new BadInputException(describe, "column '" + name + "' is " + f.dataType().simpleString()
          + ", expected boolean or integer flags");
    }
    return col(name).cast(DataTypes.BooleanType);
  }

  private static Column require(Dataset<Row> raw, String name, String describe, Class<? extends DataType> type,
      String what) {
    StructField f = field(raw, name, describe);
    if (!type.isInstance(f.dataType())) {
      throw new BadInputException(describe, "column '" + name + "' is " + f.dataType().simpleString() + ", expected " + what);
    }
    return col(name);
  }

  private static StructField field(Dataset<Row> raw, String name, String describe) {
    for (StructField f : raw.schema().fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new BadInputException(describe, "missing column '" + name + "' (columns: " + String.join(", ", raw.columns()) + ")");
  }

  /**
   * The checks the local reader makes, as one pass of Spark work: nulls, non-finite values, observation sizes and
   * actions outside [0, actions). The first offending row is then looked up to name its file.
   */
  private static void check(Dataset<Row> mapped, String describe, int d, int actions) {
    String[][] rules = {
        {"size(obs) != " + d + " OR size(next_obs) != " + d, "observation has the wrong number of values (expected " + d + ")"},
        {"exists(obs, x -> x IS NULL OR isnan(x) OR abs(x) = double('inf'))"
            + " OR exists(next_obs, x -> x IS NULL OR isnan(x) OR abs(x) = double('inf'))", "observation is null, NaN or infinite"},
        {"action IS NULL OR action < 0 OR action >= " + actions, "action is missing or outside [0, " + actions + ")"},
        {"reward IS NULL OR isnan(reward) OR abs(reward) = double('inf')", "reward is null, NaN or infinite"},
        {"obs IS NULL OR next_obs IS NULL OR terminal IS NULL OR truncated IS NULL", "a value is null"}};
    Column[] counts = new Column[rules.length + 1];
    for (int i = 0; i < rules.length; i++) {
      counts[i] = sum(when(expr("coalesce(" + rules[i][0] + ", true)"), 1).otherwise(0));
    }
    counts[rules.length] = expr("count(*)");
    Row r = mapped.agg(counts[0], Arrays.copyOfRange(counts, 1, counts.length)).first();
    if (r.getLong(rules.length) == 0) {
      throw new BadInputException(describe, "holds no transitions");
    }
    for (int i = 0; i < rules.length; i++) {
      if (!r.isNullAt(i) && r.getLong(i) > 0) {
        Row bad = mapped.withColumn("path", input_file_name())
            .filter(expr("coalesce(" + rules[i][0] + ", true)")).select("path").first();
        throw new BadInputException(bad.getString(0), r.getLong(i) + " rows where the " + rules[i][1]);
      }
    }
  }

  /** Each input file's name, size, rows and SHA-256, read through Hadoop's filesystem (local, HDFS, S3...). */
  private static List<Manifest.DataFile> provenance(Dataset<Row> raw, List<String> files, Configuration hadoop) {
    Map<String, Long> rows = new HashMap<>();
    for (Row r : raw.groupBy(input_file_name()).count().collectAsList()) {
      rows.put(r.getString(0), r.getLong(1));
    }
    List<Manifest.DataFile> out = new ArrayList<>();
    for (String f : files) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(f);
      try {
        FileSystem fs = path.getFileSystem(hadoop);
        long bytes = fs.getFileStatus(path).getLen();
        try (InputStream in = fs.open(path)) {
          out.add(new Manifest.DataFile(path.getName(), bytes, rows.getOrDefault(f, 0L), Hashing.sha256(in)));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
      }
    }
    return out;
  }
}
