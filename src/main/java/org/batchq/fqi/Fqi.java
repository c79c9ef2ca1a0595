package org.batchq.fqi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.batchq.io.InvalidSettingException;
import org.batchq.learner.Regressor;
import org.batchq.runtime.ActionValues;
import org.batchq.runtime.QFunction;

/**
 * Fitted Q Iteration (Ernst, Geurts and Wehenkel, 2005), top to bottom:
 *
 * <pre>
 *   Q_0 = 0              (or a given Q-function: the previous round's, in the run loop)
 *   for k = 0 .. K-1:
 *     Qbar_k  = mean of the last M iterates Q_{k-M+1} .. Q_k (fewer while k < M - 1; M = 1: Q_k itself)
 *     y_i     = r_i + gamma * (1 - terminated_i) * V_k(s'_i),  V_k(s') = max_a Qbar_k(s', a)
 *               (or, evaluating a fixed policy pi, sum_a pi(a | s') Qbar_k(s', a): the data's {@link Backup})
 *               (optionally clipped to [min(0, r_min), max(0, r_max)] / (1 - gamma), where every return lies)
 *     Q_{k+1} = regress (s_i, a_i) -> y_i
 *   return Qbar_K
 * </pre>
 *
 * Averaging iterates (M > 1) takes the max over a mean of M fits instead of one: the fits' errors partly cancel
 * before the max turns them into overestimation, at no extra fitting cost.
 *
 * The learner is behind {@link Regressor}; everything here is the algorithm and its diagnostics.
 */
public final class Fqi {
  /**
   * What one fit returns: the last Q-function, a row of diagnostics per iteration, and where every discounted
   * return of the data's rewards lies ({@code [lo, hi]}, see {@link #returnRange}): no sound Q leaves it.
   */
  public record Result(QFunction q, List<IterationStats> iterations, double seconds, double learnerSeconds,
      float[] returnRange) {}

  private Fqi() {}

  /**
   * How FQI iterates: {@code iterations} backups with discount {@code gamma}, targets clipped or not, and the
   * bootstrap and the result averaged over the last {@code averaged} iterates (1: plain FQI).
   */
  public record Schedule(int iterations, double gamma, boolean clip, int averaged) {
    public Schedule {
      InvalidSettingException.atLeast("iterations", iterations, 1);
      InvalidSettingException.in("gamma", gamma, 0, true, 1, false);
      if (averaged < 1 || averaged > iterations) {
        throw new InvalidSettingException("average_iterates must be between 1 and iterations (got " + averaged + ")",
            "average_iterates", "iterations");
      }
    }
  }

  /**
   * Runs FQI's iterations on {@code train}, starting from {@code start} as Q_0 (null: Q_0 = 0);
   * {@code valid} (may be null) only measures the held-out Bellman residual. {@code onIteration} sees each
   * iteration's diagnostics as they come. Starting from an earlier fit's Q continues its value iteration: K more
   * Bellman backups on top of the ones it already holds, so the horizon Q sees keeps growing across a run's rounds.
   * {@code clip} keeps targets in the range every discounted return of the data's rewards lies in: Q* is inside it,
   * so clipping only removes error, and a learner that overestimates cannot feed its error back without bound.
   */
  public static Result fit(FqiData train, FqiData valid, Schedule schedule, Regressor regressor, QFunction start,
      Consumer<IterationStats> onIteration) {
    double gamma = schedule.gamma();
    long startTime = System.nanoTime();
    Timer learner = new Timer();
    int actions = train.actionCount();
    // The state sets never change: register them once so the regressor builds its matrices once.
    Regressor.StateSet s = regressor.states(train.obs(), train.rows());
    // A next state that is the next row's state has a Q-value the training predictions already hold, for the action
    // taken there: the regressor computes only the other actions' (about half of the next-state work for two).
    int[] successor = train.successors();
    int[] knownAction = new int[train.rows()];
    for (int i = 0; i < knownAction.length; i++) {
      knownAction[i] = successor[i] < 0 ? -1 : train.actions()[successor[i]];
    }
    Regressor.StateSet next = regressor.states(train.nextObs(), train.rows(), knownAction);
    Regressor.StateSet initial = regressor.states(train.initialObs(), train.initialRows().length);
    Regressor.StateSet validS = valid == null ? null : regressor.states(valid.obs(), valid.rows());
    // A held-out next state that is the next held-out row's state has every action's value in that row's
    // predictions, which the residual needs anyway: only the next states no row holds (episodes' ends) are predicted.
    int[] validSuccessor = valid == null ? null : valid.successors();
    Regressor.StateSet validEnds = valid == null ? null : ends(valid, validSuccessor, regressor);

    // The last M iterates and their values at the next states: their means are Qbar_k.
    Window window = new Window(schedule.averaged());
    window.add(null, initial(start, train), valid == null ? null : initial(start, valid));
    float[] previousQsa = start == null ? new float[train.rows()]
        : takenActions(start.predict(train.obs(), train.rows()), train.actions(), actions);
    float[] y = new float[train.rows()];
    float[] bounds = returnRange(train.rewards(), gamma);
    float[] range = schedule.clip() ? bounds : new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
    List<IterationStats> stats = new ArrayList<>();
    for (int k = 0; k < schedule.iterations(); k++) {
      long iterationStart = System.nanoTime();
      double learnerBefore = learner.seconds;

      targets(train, window.meanNext(), gamma, range, y);
      QFunction previous = window.newest();
      QFunction fitted = learner.time(() -> regressor.fit(s, train.actions(), y, previous));
      float[] qsa = learner.time(() -> regressor.predictTaken(fitted, s, train.actions()));

      double validResidual = Double.NaN;
      float[] validQ = null;
      if (valid != null) {
        float[] validY = new float[valid.rows()];
        targets(valid, window.meanValidNext(), gamma, range, validY);
        validQ = learner.time(() -> regressor.predict(fitted, validS));
        validResidual = mse(takenActions(validQ, valid.actions(), actions), validY);
      }
      double initialMaxQ = ActionValues.meanMax(learner.time(() -> regressor.predict(fitted, initial)), actions);

      // Q_{k+1} joins the iterates the next targets bootstrap from.
      float[] known = new float[train.rows()];
      for (int i = 0; i < known.length; i++) {
        known[i] = successor[i] < 0 ? 0f : qsa[successor[i]];
      }
      window.add(fitted, learner.time(() -> regressor.predict(fitted, next, known)),
          valid == null ? null : nextValues(validQ, validSuccessor, learner.time(() -> regressor.predict(fitted, validEnds)),
              actions));
      IterationStats it = new IterationStats(k, mse(qsa, y), validResidual, initialMaxQ, meanAbsDiff(qsa, previousQsa),
          (System.nanoTime() - iterationStart) / 1e9, learner.seconds - learnerBefore);
      previousQsa = qsa;
      stats.add(it);
      onIteration.accept(it);
    }
    QFunction q = learner.time(() -> window.meanModel(regressor));
    return new Result(q, stats, (System.nanoTime() - startTime) / 1e9, learner.seconds, bounds);
  }

  /**
   * The last M iterates, with their Q-values at the training and held-out next states. Q_0 takes part in the means
   * only as values (it is the caller's, or zero); models leaving the window are closed.
   */
  private static final class Window {
    private final int size;
    private final ArrayDeque<QFunction> models = new ArrayDeque<>();
    private final ArrayDeque<float[]> next = new ArrayDeque<>();
    private final ArrayDeque<float[]> validNext = new ArrayDeque<>();

    Window(int size) {
      this.size = size;
    }

    void add(QFunction model, float[] nextQ, float[] validNextQ) {
      if (next.size() == size) {
        next.removeFirst();
        validNext.pollFirst();
        if (models.size() == size) {
          models.removeFirst().close();
        }
      }
      if (model != null) {
        models.addLast(model);
      }
      next.addLast(nextQ);
      if (validNextQ != null) {
        validNext.addLast(validNextQ);
      }
    }

    /** Q_k: the newest fitted iterate (null before the first), which warm-starting regressors continue. */
    QFunction newest() {
      return models.peekLast();
    }

    float[] meanNext() {
      return mean(next);
    }

    float[] meanValidNext() {
      return mean(validNext);
    }

    /** Qbar_K as one model: the iterate itself for M = 1, otherwise the regressor's mean of the window. */
    QFunction meanModel(Regressor regressor) {
      if (models.size() == 1) {
        return models.removeFirst();
      }
      try {
        return regressor.mean(List.copyOf(models));
      } finally {
        models.forEach(QFunction::close);
        models.clear();
      }
    }

    private static float[] mean(ArrayDeque<float[]> values) {
      if (values.size() == 1) {
        return values.peekFirst();
      }
      float[] out = new float[values.peekFirst().length];
      for (float[] v : values) {
        for (int i = 0; i < out.length; i++) {
          out[i] += v[i];
        }
      }
      for (int i = 0; i < out.length; i++) {
        out[i] /= values.size();
      }
      return out;
    }
  }

  /** The next states of the rows without a successor, in row order, registered with the regressor. */
  private static Regressor.StateSet ends(FqiData data, int[] successor, Regressor regressor) {
    int d = data.observationSize();
    int count = (int) Arrays.stream(successor).filter(j -> j < 0).count();
    float[] out = new float[count * d];
    for (int i = 0, e = 0; i < data.rows(); i++) {
      if (successor[i] < 0) {
        System.arraycopy(data.nextObs(), i * d, out, e++ * d, d);
      }
    }
    return regressor.states(out, count);
  }

  /** Every row's next-state values: its successor's, from {@code q}, else the next of {@code endQ}'s rows. */
  private static float[] nextValues(float[] q, int[] successor, float[] endQ, int actions) {
    float[] out = new float[successor.length * actions];
    for (int i = 0, e = 0; i < successor.length; i++) {
      if (successor[i] >= 0) {
        System.arraycopy(q, successor[i] * actions, out, i * actions, actions);
      } else {
        System.arraycopy(endQ, e++ * actions, out, i * actions, actions);
      }
    }
    return out;
  }

  /** Q_0(s', .) for every row: zeros, or the starting Q-function's values. */
  private static float[] initial(QFunction start, FqiData data) {
    if (start == null) {
      return new float[data.rows() * data.actionCount()];
    }
    if (start.actionCount() != data.actionCount()) {
      throw new IllegalArgumentException("the starting Q-function has " + start.actionCount() + " actions, the data "
          + data.actionCount());
    }
    return start.predict(data.nextObs(), data.rows());
  }

  /** [min(0, r_min), max(0, r_max)] / (1 - gamma): where every discounted return of these rewards lies. */
  public static float[] returnRange(float[] rewards, double gamma) {
    float lo = 0;
    float hi = 0;
    for (float r : rewards) {
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    }
    return new float[] {(float) (lo / (1 - gamma)), (float) (hi / (1 - gamma))};
  }

  /**
   * y = r + gamma * (1 - terminated) * V(s'), V by the data's backup, kept within {@code range}. Only termination
   * stops the bootstrap: a row truncated by the time limit still has a future, so it bootstraps from its true next
   * observation.
   */
  static void targets(FqiData data, float[] nextQ, double gamma, float[] range, float[] y) {
    int actions = data.actionCount();
    for (int i = 0; i < data.rows(); i++) {
      float target = Backup.target(data.rewards()[i], data.terminal()[i], gamma, data.backup().value(nextQ, i, actions));
      y[i] = Math.min(range[1], Math.max(range[0], target));
    }
  }

  private static float[] takenActions(float[] q, int[] taken, int actions) {
    float[] out = new float[taken.length];
    for (int i = 0; i < taken.length; i++) {
      out[i] = q[i * actions + taken[i]];
    }
    return out;
  }

  private static double mse(float[] prediction, float[] target) {
    double sum = 0;
    for (int i = 0; i < target.length; i++) {
      double e = prediction[i] - target[i];
      sum += e * e;
    }
    return target.length == 0 ? Double.NaN : sum / target.length;
  }

  private static double meanAbsDiff(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return a.length == 0 ? Double.NaN : sum / a.length;
  }

  /** Accumulates the time spent inside the learner. */
  private static final class Timer {
    double seconds;

    <T> T time(java.util.function.Supplier<T> work) {
      long t = System.nanoTime();
      try {
        return work.get();
      } finally {
        seconds += (System.nanoTime() - t) / 1e9;
      }
    }
  }
}
