package org.batchq.ope;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.batchq.env.Rng;
import org.batchq.fqi.FqiData;
import org.batchq.learner.LearnerSettings;
import org.batchq.learner.Regressor;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.policy.Policy;
import org.batchq.runtime.QFunction;

/**
 * Model-based off-policy evaluation (the "direct method" with a learned model; Paduraru 2012, and the model-based
 * baseline of Voloshin et al. 2019): regressions of the log's one-step dynamics and rewards on (s, a) and of its
 * terminations on the state reached, rolled out under the target policy from the log's initial states.
 *
 * <pre>
 *   s'    =  s + D(s, a)          D_j regresses next_obs_j - obs_j, one regression per observation dimension
 *   r     =  R(s, a)              the mean reward
 *   p     =  T(s') in [0, 1]      the chance that reaching s' ends the episode (a regression of the 0/1 flag on
 *                                 the next observation)
 *   V     =  mean over s0 of  sum_t gamma^t * alive_t * R(s_t, a_t),  alive_{t+1} = alive_t * (1 - p_t)
 * </pre>
 *
 * The model does not depend on the target, so one fit serves every policy of an evaluation; and it has no
 * bootstrap through a fitted value, so the smoothing of one backup is not compounded over hundreds of them as in
 * FQE. Its error is the dynamics' error compounded along a rollout instead, which is small where the dynamics are
 * smooth (docs/ope.md measures both). Termination is learned as a function of the state reached, as every
 * Gymnasium environment computes it: there it is a threshold on one coordinate (a pole's angle, a cart's
 * position), which a tree learns exactly, while a regression on (s, a) spreads a small chance of ending over every
 * state near the boundary, a leak that compounds over hundreds of steps. It is carried as a survival weight rather
 * than sampled, so a deterministic target gives a deterministic value; a stochastic target's actions are drawn
 * from a stream per initial state. Time limits are not modelled: like FQE, the value is the discounted sum over {@code horizon}
 * steps of a process that ends only by termination.
 */
public final class ModelBased {
  private static final long ACTION_STREAM = 13;

  /** The fitted one-step model: its dynamics per observation dimension, rewards and terminations. */
  public record Model(QFunction[] delta, QFunction reward, QFunction termination) implements AutoCloseable {
    @Override
    public void close() {
      Arrays.stream(delta).forEach(QFunction::close);
      reward.close();
      termination.close();
    }
  }

  /**
   * Tree depth of the model's regressions when a tree learner's own depth is not given: a step's change is a
   * smooth function of (s, a) that depth 8 follows more closely than a fit's 6 (on the experiment's log, 7.1% mean
   * relative error over 22 policies; docs/ope.md says on which policies the depth was chosen).
   */
  public static final int MAX_DEPTH = 8;

  private ModelBased() {}

  /** The model's learner from a fit's: the same, at {@link #MAX_DEPTH} for a tree learner. */
  public static LearnerSettings learnerFor(LearnerSettings fit) {
    return fit instanceof XgboostSettings trees ? trees.withMaxDepth(MAX_DEPTH) : fit;
  }

  /** Fits the model on every transition of {@code data}, with one state matrix for all its regressions. */
  public static Model fit(FqiData data, LearnerSettings learner) {
    int d = data.observationSize();
    int rows = data.rows();
    try (Regressor regressor = learner.create(d, data.actionCount())) {
      Regressor.StateSet states = regressor.states(data.obs(), rows);
      QFunction[] delta = new QFunction[d];
      float[] y = new float[rows];
      for (int j = 0; j < d; j++) {
        for (int i = 0; i < rows; i++) {
          y[i] = data.nextObs()[i * d + j] - data.obs()[i * d + j];
        }
        delta[j] = regressor.fit(states, data.actions(), y, null);
      }
      QFunction reward = regressor.fit(states, data.actions(), data.rewards(), null);
      return new Model(delta, reward, termination(data, learner));
    }
  }

  /** T(s'): the 0/1 termination flag regressed on the next observation, as a one-action Q-function. */
  private static QFunction termination(FqiData data, LearnerSettings learner) {
    int rows = data.rows();
    float[] y = new float[rows];
    for (int i = 0; i < rows; i++) {
      y[i] = data.terminal()[i] ? 1f : 0f;
    }
    try (Regressor regressor = learner.create(data.observationSize(), 1)) {
      return regressor.fit(regressor.states(data.nextObs(), rows), new int[rows], y, null);
    }
  }

  /** Initial states per thread below which one thread rolls them all out: a step must outweigh the hand-over. */
  static final int MIN_ROWS_PER_THREAD = 256;

  /**
   * The target's mean discounted value over the {@code rows} initial states {@code initialObs} (row-major), rolled
   * out in {@code model} for {@code horizon} steps; the same {@code seed} gives the same value.
   */
  public static double value(Model model, Policy target, float[] initialObs, int rows, double gamma, int horizon,
      long seed) {
    return value(model, target, initialObs, rows, gamma, horizon, seed, Runtime.getRuntime().availableProcessors());
  }

  /**
   * As {@link #value(Model, Policy, float[], int, double, int, long)}, the initial states split into at most
   * {@code threads} contiguous parts rolled out at once. Each rollout's predictions and action draws are its own
   * and the values are summed in row order afterwards, so the result is the same bits on any number of threads.
   */
  static double value(Model model, Policy target, float[] initialObs, int rows, double gamma, int horizon, long seed,
      int threads) {
    double[] value = new double[rows];
    int parts = Math.max(1, Math.min(threads, rows / MIN_ROWS_PER_THREAD));
    IntStream all = IntStream.range(0, parts);
    (parts > 1 ? all.parallel() : all).forEach(p -> rollOut(model, target, initialObs, (int) ((long) rows * p / parts),
        (int) ((long) rows * (p + 1) / parts), gamma, horizon, seed, value));
    double sum = 0;
    for (double v : value) {
      sum += v;
    }
    return sum / rows;
  }

  /** Rolls out initial states {@code from} to {@code to}, adding each one's discounted value into {@code value}. */
  private static void rollOut(Model model, Policy target, float[] initialObs, int from, int to, double gamma,
      int horizon, long seed, double[] value) {
    int d = model.delta().length;
    int rows = to - from;
    double[] alive = new double[rows];
    Arrays.fill(alive, 1);
    Rng[] rngs = new Rng[rows];
    for (int i = 0; i < rows; i++) {
      rngs[i] = Rng.derive(seed, ACTION_STREAM, from + i);
    }
    // The rollouts still running, packed in place: row k of packed and rngs is rollout live[k]. A rollout that has
    // surely ended adds nothing and moves no further, so it leaves the batch; each row's predictions and action
    // draws are its own, so the values are the same bits as predicting every row.
    int[] live = new int[rows];
    for (int i = 0; i < rows; i++) {
      live[i] = i;
    }
    int running = rows;
    float[] packed = Arrays.copyOfRange(initialObs, from * d, to * d);
    int[] a = new int[rows];
    float[] probabilities = new float[rows];
    float[][] deltas = new float[d][];
    double discount = 1;
    for (int t = 0; t < horizon && running > 0; t++) {
      target.act(packed, running, rngs, a, probabilities);
      float[] r = model.reward().valuesOf(packed, running, a); // only the action taken: half the trees walked
      for (int j = 0; j < d; j++) {
        deltas[j] = model.delta()[j].valuesOf(packed, running, a);
      }
      for (int k = 0; k < running; k++) {
        int i = live[k];
        value[from + i] += discount * alive[i] * r[k];
        for (int j = 0; j < d; j++) {
          packed[k * d + j] += deltas[j][k];
        }
      }
      float[] p = model.termination().predict(packed, running);
      int still = 0;
      for (int k = 0; k < running; k++) { // still <= k: moving row k down to still overwrites only rows already read
        int i = live[k];
        alive[i] *= 1 - Math.min(1, Math.max(0, p[k]));
        if (alive[i] > 0) {
          System.arraycopy(packed, k * d, packed, still * d, d);
          rngs[still] = rngs[k];
          live[still++] = i;
        }
      }
      running = still;
      discount *= gamma;
    }
  }
}
