package org.batchq.learner.xgboost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.batchq.learner.Regressor;
import org.batchq.learner.UnusableDataException;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;

/**
 * Gradient-boosted trees (XGBoost4J) as the FQI regressor, in two forms: {@code multiple}, one booster per action
 * trained on the rows that took it, and {@code single}, one booster on [obs, one-hot(action)].
 *
 * <p>Every matrix is built once per fit: training matrices on the first {@link #fit} and relabelled afterwards,
 * state-set matrices at registration. Saved boosters are XGBoost's own JSON model files.
 */
public final class XgboostRegressor implements Regressor {
  private final XgboostSettings settings;
  private final int observationSize;
  private final int actionCount;
  private final List<DMatrix> owned = new ArrayList<>();

  public XgboostRegressor(XgboostSettings settings, int observationSize, int actionCount) {
    this.settings = settings;
    this.observationSize = observationSize;
    this.actionCount = actionCount;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("form", settings.form().name().toLowerCase());
    s.put("rounds_per_iteration", settings.rounds());
    s.put("warm_start", settings.warmStart());
    Map<String, Object> params = settings.params();
    params.remove("nthread"); // a run fact: the model does not depend on it
    s.put("xgboost_params", params);
    return s;
  }

  /** The matrices of one registered state set, plus its training matrices once it has been fitted on. */
  private final class Matrices implements StateSet {
    final float[] obs;
    final int rows;
    final int[] knownAction; // row i's value for this action comes from the caller (-1: none); null: none known
    final int[][] computed; // per action, the rows its matrix holds (an action's null: every row)
    final DMatrix[] perAction; // multiple: one matrix shared by all actions unless some values are known
    DMatrix[] training; // built on the first fit, relabelled later
    int[][] rowsOfAction; // multiple: which rows train which booster

    Matrices(float[] obs, int rows, int[] knownAction) {
      this.obs = obs;
      this.rows = rows;
      this.knownAction = knownAction;
      computed = new int[actionCount][];
      perAction = new DMatrix[actionCount];
      for (int a = 0; a < actionCount; a++) {
        if (knownAction == null && settings.form() == TreeForm.MULTIPLE && a > 0) {
          perAction[a] = perAction[0]; // the same observations for every booster: one matrix serves them all
          continue;
        }
        final int action = a;
        computed[a] = knownAction == null ? null
            : IntStream.range(0, rows).filter(i -> knownAction[i] != action).toArray();
        float[] x = computed[a] == null ? obs : gatherRows(obs, computed[a], observationSize);
        int n = computed[a] == null ? rows : computed[a].length;
        perAction[a] = settings.form() == TreeForm.MULTIPLE
            ? matrix(x, n, observationSize)
            : matrix(withOneHot(x, n, null, a), n, observationSize + actionCount);
      }
    }

    @Override
    public int rows() {
      return rows;
    }
  }

  @Override
  public StateSet states(float[] obs, int rows) {
    return new Matrices(obs, rows, null);
  }

  @Override
  public StateSet states(float[] obs, int rows, int[] knownAction) {
    return new Matrices(obs, rows, knownAction);
  }

  @Override
  public QFunction fit(StateSet states, int[] actions, float[] targets, QFunction previous) {
    Matrices m = (Matrices) states;
    if (m.training == null) {
      buildTraining(m, actions);
    }
    // Warm start continues Q_k's boosters in place: Q_k is not needed once its targets are computed, and XGBoost's
    // prediction caches then only evaluate the new trees on every matrix it has seen.
    Booster[] boosters = settings.warmStart() && previous != null
        ? ((BoosterQFunction) previous).handOver()
        : new Booster[m.training.length];
    try {
      for (int b = 0; b < boosters.length; b++) {
        float[] labels = settings.form() == TreeForm.MULTIPLE ? gather(targets, m.rowsOfAction[b]) : targets;
        m.training[b].setLabel(labels);
        boosters[b] = XGBoost.train(m.training[b], settings.params(), settings.rounds(), Map.of(), null, null, null, 0,
            boosters[b]);
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost training failed: " + e.getMessage(), e);
    }
    return new BoosterQFunction(settings.form(), observationSize, actionCount, boosters);
  }

  @Override
  public QFunction mean(List<QFunction> members) {
    return BoosterMean.of(settings.form(), observationSize, actionCount, members);
  }

  @Override
  public float[] predict(QFunction q, StateSet states) {
    return predict(q, states, null);
  }

  @Override
  public float[] predict(QFunction q, StateSet states, float[] known) {
    Matrices m = (Matrices) states;
    if (m.knownAction != null && known == null) {
      throw new IllegalArgumentException("this state set was registered with known values: pass them");
    }
    BoosterQFunction model = (BoosterQFunction) q;
    float[] out = new float[m.rows * actionCount];
    try {
      for (int a = 0; a < actionCount; a++) {
        Booster booster = model.booster(settings.form().boosterOf(a));
        float[][] p = booster.predict(m.perAction[a]);
        for (int n = 0; n < p.length; n++) {
          out[(m.computed[a] == null ? n : m.computed[a][n]) * actionCount + a] = p[n][0];
        }
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
    }
    if (m.knownAction != null) {
      for (int i = 0; i < m.rows; i++) {
        if (m.knownAction[i] >= 0) {
          out[i * actionCount + m.knownAction[i]] = known[i];
        }
      }
    }
    return out;
  }

  /**
   * From the training matrices Q was just fitted on: XGBoost's prediction cache already holds their values, so
   * this copies them instead of walking every tree again over every action's matrix.
   */
  @Override
  public float[] predictTaken(QFunction q, StateSet states, int[] actions) {
    Matrices m = (Matrices) states;
    if (m.training == null) {
      return Regressor.super.predictTaken(q, states, actions);
    }
    BoosterQFunction model = (BoosterQFunction) q;
    float[] out = new float[m.rows];
    try {
      for (int b = 0; b < m.training.length; b++) {
        float[][] p = model.booster(b).predict(m.training[b]);
        for (int i = 0; i < p.length; i++) {
          out[settings.form() == TreeForm.MULTIPLE ? m.rowsOfAction[b][i] : i] = p[i][0];
        }
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
    }
    return out;
  }

  private void buildTraining(Matrices m, int[] actions) {
    if (settings.form() == TreeForm.SINGLE) {
      m.training = new DMatrix[] {matrix(withOneHot(m.obs, m.rows, actions, -1), m.rows, observationSize + actionCount)};
      return;
    }
    int[] counts = new int[actionCount];
    for (int a : actions) {
      counts[a]++;
    }
    m.rowsOfAction = new int[actionCount][];
    m.training = new DMatrix[actionCount];
    for (int a = 0; a < actionCount; a++) {
      if (counts[a] == 0) {
        throw new UnusableDataException("action " + a + " never occurs in the training data: 'multiple' fits one"
            + " booster per action and has nothing to fit for it (use --algorithm single, or collect data that"
            + " takes every action)");
      }
      int[] idx = new int[counts[a]];
      int n = 0;
      for (int i = 0; i < actions.length; i++) {
        if (actions[i] == a) {
          idx[n++] = i;
        }
      }
      m.rowsOfAction[a] = idx;
      m.training[a] = matrix(gatherRows(m.obs, idx, observationSize), n, observationSize);
    }
  }

  private float[] withOneHot(float[] obs, int rows, int[] actions, int fixed) {
    return BoosterQFunction.withOneHot(obs, rows, actions, fixed, observationSize, actionCount);
  }

  private DMatrix matrix(float[] x, int rows, int cols) {
    try {
      DMatrix d = new DMatrix(x, rows, cols, Float.NaN);
      owned.add(d);
      return d;
    } catch (XGBoostError e) {
      throw new IllegalStateException("cannot build an XGBoost matrix: " + e.getMessage(), e);
    }
  }

  /** The rows {@code idx} of row-major {@code x}, {@code width} values each. */
  private static float[] gatherRows(float[] x, int[] idx, int width) {
    float[] out = new float[idx.length * width];
    for (int n = 0; n < idx.length; n++) {
      System.arraycopy(x, idx[n] * width, out, n * width, width);
    }
    return out;
  }

  private static float[] gather(float[] values, int[] idx) {
    float[] out = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = values[idx[i]];
    }
    return out;
  }

  @Override
  public void close() {
    owned.forEach(DMatrix::dispose);
    owned.clear();
  }
}
