package org.batchq.ope;

import java.util.List;
import java.util.function.Consumer;
import org.batchq.fqi.Backup;
import org.batchq.fqi.Fqi;
import org.batchq.fqi.FqiData;
import org.batchq.fqi.IterationStats;
import org.batchq.learner.LearnerSettings;
import org.batchq.learner.Regressor;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.policy.Policy;
import org.batchq.runtime.QFunction;

/**
 * Fitted Q Evaluation (Le, Voloshin and Yue 2019): FQI's loop with the target policy's expectation as the backup,
 * V(s') = sum_a pi(a | s') Q(s', a), so that it converges to Q^pi instead of Q*. The estimate is the mean over the
 * log's initial states of sum_a pi(a | s0) Q^pi(s0, a).
 */
public final class Fqe {
  /** What one FQE fit gives: Q^pi, the estimate, and each iteration's diagnostics. Close it to free the model. */
  public record Fit(QFunction q, double estimate, List<IterationStats> iterations) implements AutoCloseable {
    @Override
    public void close() {
      q.close();
    }
  }

  /**
   * Trees per FQE iteration when a tree learner's own count is not given: FQE iterates about ten times as often as
   * a fit (459 against 50 at gamma 0.99), and 20 trees keep one FQE near a default fit's cost (docs/ope.md).
   */
  public static final int TREES_PER_ITERATION = 20;

  private Fqe() {}

  /** FQE's learner from a fit's: the same, with {@link #TREES_PER_ITERATION} trees for a tree learner. */
  public static LearnerSettings learnerFor(LearnerSettings fit) {
    return fit instanceof XgboostSettings trees ? trees.withRounds(TREES_PER_ITERATION) : fit;
  }

  /**
   * The fewest iterations K with gamma^K below 0.01. From Q_0 = 0, K backups see K steps ahead: at gamma 0.99 and
   * K = 50 no estimate could exceed 39.5 while a policy that balances a pole is worth about 99, so FQE goes on until
   * what it cannot see is below 1% of the value scale (K = 459 at 0.99).
   */
  public static int iterationsFor(double gamma) {
    return gamma == 0 ? 1 : (int) Math.floor(Math.log(0.01) / Math.log(gamma)) + 1;
  }

  /**
   * Fits Q^pi of {@code target} on {@code data} (its initial rows are the states the estimate averages over), from
   * Q_0 = {@code start} (null: zero).
   */
  public static Fit fit(FqiData data, Policy target, Fqi.Schedule schedule, LearnerSettings learner, QFunction start,
      Consumer<IterationStats> onIteration) {
    int actions = data.actionCount();
    float[] next = new float[data.rows() * actions];
    target.distribution(data.nextObs(), data.rows(), next);
    try (Regressor regressor = learner.create(data.observationSize(), actions)) {
      Fqi.Result result = Fqi.fit(data.withBackup(new Backup.Expectation(next)), null, schedule, regressor, start,
          onIteration);
      return new Fit(result.q(), value(result.q(), target, data.initialObs(), data.initialRows().length),
          result.iterations());
    }
  }

  /** The mean over {@code rows} states of sum_a pi(a | s) Q(s, a). */
  static double value(QFunction q, Policy target, float[] obs, int rows) {
    int actions = q.actionCount();
    float[] values = q.predict(obs, rows);
    float[] pi = new float[rows * actions];
    target.distribution(obs, rows, pi);
    double sum = 0;
    for (int i = 0; i < rows * actions; i++) {
      sum += (double) pi[i] * values[i];
    }
    return sum / rows;
  }
}
