package org.batchq.fqi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
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
 *     y_i    -= alpha * (max_b Qbar_k(s_i, b) - Qbar_k(s_i, a_i))   (advantage learning; alpha = 0: plain FQI)
 *     Q_{k+1} = regress (s_i, a_i) -> y_i
 *   return Qbar_K
 * </pre>
 *
 * Averaging iterates (M > 1) takes the max over a mean of M fits instead of one: the fits' errors partly cancel
 * before the max turns them into overestimation, at no extra fitting cost.
 *
 * Advantage learning (Baird 1999; Bellemare et al. 2016, "Increasing the action gap") lowers every action's target
 * by alpha times its gap to the best action at the same state. Its fixed point keeps max_a Q = V* and the greedy
 * policy, and widens each gap to (V* - Q*) / (1 - alpha), so that the regression's error, not the gap, must be large
 * for the argmax to flip: where two actions differ only in when an episode fails hundreds of steps later, the
 * plain gap is smaller than the trees' error (docs/RESULTS.md). A state's values are the previous row's next-state
 * values wherever the row follows another in the log; only the other states (episodes' first) are predicted.
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
   * How FQI iterates: {@code iterations} backups with discount {@code gamma}, targets clipped or not, the bootstrap
   * and the result averaged over the last {@code averaged} iterates (1: plain FQI), and advantage learning's
   * {@code advantage} (alpha in [0, 1); 0: the plain Bellman target).
   */
  public record Schedule(int iterations, double gamma, boolean clip, int averaged, double advantage) {
    public Schedule {
      InvalidSettingException.atLeast("iterations", iterations, 1);
      InvalidSettingException.in("gamma", gamma, 0, true, 1, false);
      if (averaged < 1 || averaged > iterations) {
        throw new InvalidSettingException("average_iterates must be between 1 and iterations (got " + averaged + ")",
            "average_iterates", "iterations");
      }
      InvalidSettingException.in("advantage_learning", advantage, 0, true, 1, false);
    }

    /** Without advantage learning. */
    public Schedule(int iterations, double gamma, boolean clip, int averaged) {
      this(iterations, gamma, clip, averaged, 0);
    }

    /**
     * Where clipped targets are kept: the return range, its lower end widened by alpha / (1 - alpha) times its
     * width under advantage learning, whose fixed point puts an action up to (V* - Q*) / (1 - alpha) below V*.
     */
    float[] clipRange(float[] returns) {
      if (!clip) {
        return new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
      }
      return new float[] {(float) (returns[0] - advantage / (1 - advantage) * (returns[1] - returns[0])), returns[1]};
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
    double alpha = schedule.advantage();
    if (alpha > 0 && train.backup() != Backup.MAX) {
      throw new IllegalArgumentException("advantage learning is for the optimality backup (FQI), not for evaluating a"
          + " policy");
    }
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
    int d = train.observationSize();
    Regressor.StateSet validEnds = valid == null ? null
        : states(regressor, unlinked(valid.nextObs(), validSuccessor, d), d);
    // Advantage learning also needs Qbar_k at each row's own state: the previous row's next-state values where the
    // row follows it, predicted only at the other rows' states (the heads).
    int[] predecessor = alpha > 0 ? predecessors(successor) : null;
    int[] validPredecessor = alpha > 0 && valid != null ? predecessors(validSuccessor) : null;
    float[] headObs = predecessor == null ? null : unlinked(train.obs(), predecessor, d);
    Regressor.StateSet heads = headObs == null ? null : states(regressor, headObs, d);

    // The last M iterates and their values where the targets need them: their means are Qbar_k's.
    Window window = new Window(schedule.averaged());
    window.add(null, new Values(initialAt(start, train.nextObs(), train),
        valid == null ? null : initialAt(start, valid.nextObs(), valid),
        headObs == null ? null : initialAt(start, headObs, train),
        validPredecessor == null ? null : initialAt(start, unlinked(valid.obs(), validPredecessor, d), valid)));
    float[] previousQsa = start == null ? new float[train.rows()]
        : takenActions(start.predict(train.obs(), train.rows()), train.actions(), actions);
    float[] y = new float[train.rows()];
    float[] bounds = returnRange(train.rewards(), gamma);
    float[] range = schedule.clipRange(bounds);
    List<IterationStats> stats = new ArrayList<>();
    for (int k = 0; k < schedule.iterations(); k++) {
      long iterationStart = System.nanoTime();
      double learnerBefore = learner.seconds;

      float[] nextMean = window.mean(Values::next);
      targets(train, nextMean, alpha == 0 ? null : linked(nextMean, predecessor, window.mean(Values::heads),
          actions), alpha, gamma, range, y);
      QFunction previous = window.newest();
      QFunction fitted = learner.time(() -> regressor.fit(s, train.actions(), y, previous));
      float[] qsa = learner.time(() -> regressor.predictTaken(fitted, s, train.actions()));

      double validResidual = Double.NaN;
      float[] validQ = null;
      if (valid != null) {
        float[] validY = new float[valid.rows()];
        float[] validNextMean = window.mean(Values::validNext);
        targets(valid, validNextMean, alpha == 0 ? null : linked(validNextMean, validPredecessor,
            window.mean(Values::validHeads), actions), alpha, gamma, range, validY);
        validQ = learner.time(() -> regressor.predict(fitted, validS));
        validResidual = mse(takenActions(validQ, valid.actions(), actions), validY);
      }
      double initialMaxQ = ActionValues.meanMax(learner.time(() -> regressor.predict(fitted, initial)), actions);

      // Q_{k+1} joins the iterates the next targets bootstrap from.
      float[] known = new float[train.rows()];
      for (int i = 0; i < known.length; i++) {
        known[i] = successor[i] < 0 ? 0f : qsa[successor[i]];
      }
      window.add(fitted, new Values(learner.time(() -> regressor.predict(fitted, next, known)),
          valid == null ? null
              : linked(validQ, validSuccessor, learner.time(() -> regressor.predict(fitted, validEnds)), actions),
          heads == null ? null : learner.time(() -> regressor.predict(fitted, heads)),
          validPredecessor == null ? null : unlinked(validQ, validPredecessor, actions)));
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
   * One iterate's Q-values where the targets need them: at the training and held-out next states, and, for
   * advantage learning, at the states no earlier row's next state holds (training and held-out). Unused ones are null.
   */
  private record Values(float[] next, float[] validNext, float[] heads, float[] validHeads) {}

  /**
   * The last M iterates, with their {@link Values}: their means are Qbar_k's. Q_0 takes part in the means only as
   * values (it is the caller's, or zero); models leaving the window are closed.
   */
  private static final class Window {
    private final int size;
    private final ArrayDeque<QFunction> models = new ArrayDeque<>();
    private final ArrayDeque<Values> values = new ArrayDeque<>();

    Window(int size) {
      this.size = size;
    }

    void add(QFunction model, Values v) {
      if (values.size() == size) {
        values.removeFirst();
        if (models.size() == size) {
          models.removeFirst().close();
        }
      }
      if (model != null) {
        models.addLast(model);
      }
      values.addLast(v);
    }

    /** Q_k: the newest fitted iterate (null before the first), which warm-starting regressors continue. */
    QFunction newest() {
      return models.peekLast();
    }

    /** The mean over the window of one kind of values. */
    float[] mean(Function<Values, float[]> kind) {
      if (values.size() == 1) {
        return kind.apply(values.peekFirst());
      }
      float[] out = new float[kind.apply(values.peekFirst()).length];
      for (Values v : values) {
        float[] x = kind.apply(v);
        for (int i = 0; i < out.length; i++) {
          out[i] += x[i];
        }
      }
      for (int i = 0; i < out.length; i++) {
        out[i] /= values.size();
      }
      return out;
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
  }

  /**
   * The rows {@code i} of {@code x} ({@code width} values each) that have no {@code link[i]}, in row order: the next
   * states no later row holds (link: successors), or the states no earlier row's next state holds (predecessors).
   */
  private static float[] unlinked(float[] x, int[] link, int width) {
    int count = (int) Arrays.stream(link).filter(j -> j < 0).count();
    float[] out = new float[count * width];
    for (int i = 0, u = 0; i < link.length; i++) {
      if (link[i] < 0) {
        System.arraycopy(x, i * width, out, u++ * width, width);
      }
    }
    return out;
  }

  /** Observations {@code obs} ({@code d} values each) registered with the regressor. */
  private static Regressor.StateSet states(Regressor regressor, float[] obs, int d) {
    return regressor.states(obs, obs.length / d);
  }

  /**
   * Every row's values: row {@code link[i]}'s of {@code q} where it exists (a successor's state values are this
   * row's next-state values; a predecessor's next-state values are this row's state values), else the next of
   * {@code rest}'s rows, the {@link #unlinked} ones'.
   */
  private static float[] linked(float[] q, int[] link, float[] rest, int actions) {
    float[] out = new float[link.length * actions];
    for (int i = 0, u = 0; i < link.length; i++) {
      if (link[i] >= 0) {
        System.arraycopy(q, link[i] * actions, out, i * actions, actions);
      } else {
        System.arraycopy(rest, u++ * actions, out, i * actions, actions);
      }
    }
    return out;
  }

  /** For each row, the row whose next state is this row's state ({@code successor} inverted), or -1. */
  private static int[] predecessors(int[] successor) {
    int[] out = new int[successor.length];
    Arrays.fill(out, -1);
    for (int j = 0; j < successor.length; j++) {
      if (successor[j] >= 0) {
        out[successor[j]] = j;
      }
    }
    return out;
  }

  /** Q_0 at the states {@code obs} (row-major, as the start's observations): zeros, or the starting Q's values. */
  private static float[] initialAt(QFunction start, float[] obs, FqiData data) {
    int rows = obs.length / data.observationSize();
    int actions = data.actionCount();
    if (start == null) {
      return new float[rows * actions];
    }
    if (start.actionCount() != actions) {
      throw new IllegalArgumentException("the starting Q-function has " + start.actionCount() + " actions, the data "
          + actions);
    }
    return start.predict(obs, rows);
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
    targets(data, nextQ, null, 0, gamma, range, y);
  }

  /**
   * The same, less {@code alpha} times each row's action gap at its own state, max_b Q(s, b) - Q(s, a), read from
   * {@code stateQ} (rows x actions; unused when alpha is 0): advantage learning's target.
   */
  static void targets(FqiData data, float[] nextQ, float[] stateQ, double alpha, double gamma, float[] range,
      float[] y) {
    int actions = data.actionCount();
    for (int i = 0; i < data.rows(); i++) {
      float target = Backup.target(data.rewards()[i], data.terminal()[i], gamma, data.backup().value(nextQ, i, actions));
      if (alpha > 0) {
        float gap = ActionValues.max(stateQ, i, actions) - stateQ[i * actions + data.actions()[i]];
        target = (float) (target - alpha * gap);
      }
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
