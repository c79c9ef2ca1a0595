package org.batchq.spark;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.spark.XGBoostRegressionModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostRegressor;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.batchq.fqi.Backup;
import org.batchq.fqi.IterationStats;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.runtime.ActionValues;
import org.batchq.runtime.Bundle;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;

/**
 * Fitted Q Iteration as Spark work, the same algorithm as {@link org.batchq.fqi.Fqi}:
 *
 * <pre>
 *   Q_0 = 0
 *   for k = 0 .. K-1:
 *     y_i     = r_i + gamma * (1 - terminated_i) * max_a Q_k(s'_i, a)     (one pass over the cached frame)
 *     Q_{k+1} = XGBoost4J-Spark regression (s_i, a_i) -> y_i               (distributed training)
 * </pre>
 *
 * One pass per iteration broadcasts Q_{k+1}'s boosters and, partition by partition, predicts every action for all
 * states and next states in batched calls with the core's own Q-function; it yields the next targets and the
 * diagnostics of Q_{k+1} (training loss, held-out residual, initial max-Q, mean change) at once. Each iteration's
 * frame is materialised with a local checkpoint, which also cuts it from the previous one's lineage, so that
 * iteration k's frame and broadcast can be released (plain caching would recompute dependants when they are).
 */
final class SparkFqi {
  /** Column positions of the iteration frame: SparkData's columns, then the current target and Q(s, a). */
  private static final int OBS = 0, NEXT_OBS = 1, ACTION = 2, REWARD = 3, TERMINAL = 4, INITIAL = 5, HELD = 6, Y = 7,
      QSA = 8;

  /** Rows handed to one batched prediction inside a partition. */
  private static final int CHUNK = 1 << 15;

  /** @param learnerSeconds time inside XGBoost4J-Spark training calls */
  record Result(Map<String, byte[]> boosters, List<IterationStats> iterations, double learnerSeconds) {}

  private SparkFqi() {}

  static Result fit(SparkSession spark, SparkData.Loaded data, XgboostSettings trees, int iterations,
      double gamma, int workers, Consumer<IterationStats> onIteration) {
    int d = data.env().observationSize();
    int actions = data.env().actionCount();
    Dataset<Row> current = data.frame()
        .withColumn("y", col("reward")) // Q_0 = 0
        .withColumn("qsa", lit(0f))
        .localCheckpoint();
    if (current.schema().fieldIndex("qsa") != QSA || current.schema().fieldIndex("held") != HELD) {
      throw new IllegalStateException("unexpected frame layout " + current.schema().simpleString());
    }
    StructType schema = current.schema()
        .add("sq_error", DataTypes.DoubleType)
        .add("abs_change", DataTypes.DoubleType)
        .add("initial_max_q", DataTypes.DoubleType, true);
    List<IterationStats> stats = new ArrayList<>();
    Map<String, byte[]> boosters = null;
    double learnerSeconds = 0;
    for (int k = 0; k < iterations; k++) {
      long start = System.nanoTime();
      boosters = train(current, trees, actions, workers);
      double training = (System.nanoTime() - start) / 1e9;
      Broadcast<Map<String, byte[]>> q = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(boosters);
      Dataset<Row> next = current
          .mapPartitions(new Step(q, trees.form(), d, actions, gamma), Encoders.row(schema))
          .localCheckpoint(); // materialised, and cut from the lineage: iteration k's frame and boosters can go
      Row agg = next.agg(
          avg(when(not(col("held")), col("sq_error"))),
          avg(when(col("held"), col("sq_error"))),
          avg(when(not(col("held")), col("initial_max_q"))),
          avg(when(not(col("held")), col("abs_change")))).first();
      current.unpersist();
      q.destroy();
      current = next.drop("sq_error", "abs_change", "initial_max_q");
      double seconds = (System.nanoTime() - start) / 1e9;
      learnerSeconds += training;
      IterationStats it = new IterationStats(k, value(agg, 0), value(agg, 1), data.hasInitial() ? value(agg, 2)
          : Double.NaN, value(agg, 3), seconds, training);
      stats.add(it);
      onIteration.accept(it);
    }
    current.unpersist();
    return new Result(boosters, stats, learnerSeconds);
  }

  /** Q_{k+1}'s booster files, trained by XGBoost4J-Spark on the training rows' current targets. */
  private static Map<String, byte[]> train(Dataset<Row> current, XgboostSettings s, int actions, int workers) {
    Dataset<Row> train = current.filter(not(col("held")));
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (s.form() == TreeForm.MULTIPLE) {
      for (int a = 0; a < actions; a++) {
        Dataset<Row> rows = train.filter(col("action").equalTo(a));
        files.put(s.form().fileName(a), booster(rows.withColumn("features", vector(col("obs"))), s, workers));
      }
    } else {
      Column[] oneHot = new Column[actions];
      for (int a = 0; a < actions; a++) {
        oneHot[a] = when(col("action").equalTo(a), lit(1f)).otherwise(lit(0f));
      }
      Dataset<Row> rows = train.withColumn("features", vector(concat(col("obs"),
          org.apache.spark.sql.functions.array(oneHot))));
      files.put(s.form().fileName(0), booster(rows, s, workers));
    }
    return files;
  }

  private static Column vector(Column floats) {
    return org.apache.spark.ml.functions.array_to_vector(floats);
  }

  /** One distributed XGBoost training with the local engine's parameters; returns the booster as XGBoost JSON. */
  private static byte[] booster(Dataset<Row> rows, XgboostSettings s, int workers) {
    // XGBoost4J prints the training metric of every round unless told not to; batchq reports its own diagnostics.
    XGBoostRegressor r = new XGBoostRegressor(
        scala.collection.immutable.Map$.MODULE$.<String, Object>empty().updated("verbose_eval", "false"));
    r.setFeaturesCol("features");
    r.setLabelCol("y");
    r.setObjective("reg:squarederror");
    r.setTreeMethod("hist");
    r.setNumRound(s.rounds());
    r.setMaxDepth(s.maxDepth());
    r.setEta(s.eta());
    r.setMinChildWeight(s.minChildWeight());
    r.setSubsample(s.subsample());
    r.setColsampleBynode(s.colsampleByNode());
    r.setNumParallelTree(s.parallelTrees());
    r.setMaxBins(s.maxBin());
    r.setSeed(s.seed());
    r.setNumWorkers(workers);
    r.setNthread(1); // one XGBoost thread per Spark task: nthread must not exceed spark.task.cpus
    r.setVerbosity(0);
    XGBoostRegressionModel model = r.fit(rows);
    try {
      return model.nativeBooster().toByteArray("json");
    } catch (XGBoostError e) {
      throw new IllegalStateException("cannot export the XGBoost model: " + e.getMessage(), e);
    }
  }

  private static double value(Row r, int i) {
    return r.isNullAt(i) ? Double.NaN : r.getDouble(i);
  }

  /**
   * One partition's share of an iteration: Q_{k+1} for every action of its states and next states, in chunks of
   * batched predictions; emits each row with its next target, its Q_{k+1}(s, a) and the diagnostics' terms.
   */
  private record Step(Broadcast<Map<String, byte[]>> boosters, TreeForm form, int d, int actions,
      double gamma) implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      QFunction q = Bundle.qFunction(form.name().toLowerCase(), d, actions, boosters.value());
      // Lazily, chunk by chunk, so a partition never sits in memory twice; the boosters are freed at its end.
      return new Iterator<>() {
        private Iterator<Row> pending = java.util.Collections.emptyIterator();
        private boolean closed;

        @Override
        public boolean hasNext() {
          while (!pending.hasNext()) {
            if (!rows.hasNext()) {
              if (!closed) {
                q.close();
                closed = true;
              }
              return false;
            }
            List<Row> chunk = new ArrayList<>(CHUNK);
            while (rows.hasNext() && chunk.size() < CHUNK) {
              chunk.add(rows.next());
            }
            List<Row> ready = new ArrayList<>(chunk.size());
            emit(q, chunk, ready);
            pending = ready.iterator();
          }
          return true;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return pending.next();
        }
      };
    }

    private void emit(QFunction q, List<Row> chunk, List<Row> out) {
      int n = chunk.size();
      float[] s = new float[n * d];
      float[] next = new float[n * d];
      for (int i = 0; i < n; i++) {
        Row r = chunk.get(i);
        copy(r.getList(OBS), s, i * d);
        copy(r.getList(NEXT_OBS), next, i * d);
      }
      float[] qs = q.predict(s, n);
      float[] qn = q.predict(next, n);
      for (int i = 0; i < n; i++) {
        Row r = chunk.get(i);
        int action = r.getInt(ACTION);
        float reward = r.getFloat(REWARD);
        boolean terminal = r.getBoolean(TERMINAL);
        boolean initial = r.getBoolean(INITIAL);
        float y = r.getFloat(Y);
        float previous = r.getFloat(QSA);
        float qsa = qs[i * actions + action];
        // The next target by the core's own rule: only termination stops the bootstrap.
        float nextY = Backup.target(reward, terminal, gamma, Backup.MAX.value(qn, i, actions));
        double error = (double) qsa - y;
        out.add(RowFactory.create(r.get(OBS), r.get(NEXT_OBS), action, reward, terminal, initial, r.getBoolean(HELD),
            nextY, qsa, error * error, (double) Math.abs(qsa - previous),
            initial ? (Double) (double) ActionValues.max(qs, i, actions) : null));
      }
    }

    private static void copy(List<Object> values, float[] into, int at) {
      for (int j = 0; j < values.size(); j++) {
        into[at + j] = ((Number) values.get(j)).floatValue();
      }
    }
  }
}
