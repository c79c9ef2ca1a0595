package org.batchq.learner.xgboost;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;

/** XGBoost boosters as a Q-function; predicts in place from arrays, without building matrices. */
final class BoosterQFunction implements QFunction {
  final TreeForm form;
  final int observationSize;
  final int actionCount;
  private Booster[] boosters;

  BoosterQFunction(TreeForm form, int observationSize, int actionCount, Booster[] boosters) {
    this.form = form;
    this.observationSize = observationSize;
    this.actionCount = actionCount;
    this.boosters = boosters;
  }

  /** Loads a Q-function from the booster files {@link #export()} wrote. */
  static BoosterQFunction load(TreeForm form, int observationSize, int actionCount, Map<String, byte[]> files) {
    Booster[] boosters = new Booster[form.boosters(actionCount)];
    for (int b = 0; b < boosters.length; b++) {
      byte[] bytes = form.file(files, b);
      try {
        boosters[b] = XGBoost.loadModel(bytes);
        // A loaded model acts on small batches (one row per environment): one thread beats OpenMP's hand-off, and
        // spinning OpenMP workers starve everything else when two processes share the cores.
        boosters[b].setParam("nthread", 1);
      } catch (XGBoostError | java.io.IOException e) {
        throw new IllegalArgumentException("booster file " + form.fileName(b) + " is not a valid XGBoost model ("
            + e.getMessage() + ")", e);
      }
    }
    return new BoosterQFunction(form, observationSize, actionCount, boosters);
  }

  Booster booster(int b) {
    return boosters[b];
  }

  /** Gives this model's boosters to the next iteration's model; this one is left empty. */
  Booster[] handOver() {
    Booster[] b = boosters;
    boosters = new Booster[0];
    return b;
  }

  @Override
  public int actionCount() {
    return actionCount;
  }

  @Override
  public float[] predict(float[] obs, int rows) {
    float[] out = new float[rows * actionCount];
    try {
      for (int a = 0; a < actionCount; a++) {
        float[][] p = form == TreeForm.MULTIPLE
            ? boosters[a].inplace_predict(obs, rows, observationSize, Float.NaN)
            : boosters[0].inplace_predict(withOneHot(obs, rows, null, a, observationSize, actionCount), rows,
                form.width(observationSize, actionCount), Float.NaN);
        for (int i = 0; i < rows; i++) {
          out[i * actionCount + a] = p[i][0];
        }
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * One booster pass over the rows' own actions instead of one per action: in the single form a matrix of each row
   * with its action's one-hot, in the multiple form each action's booster over the rows that took it. Each row's
   * value is XGBoost's for that row alone, so the floats are {@link #predict}'s.
   */
  @Override
  public float[] valuesOf(float[] obs, int rows, int[] actions) {
    float[] out = new float[rows];
    try {
      if (form == TreeForm.SINGLE) {
        float[][] p = boosters[0].inplace_predict(withOneHot(obs, rows, actions, -1, observationSize, actionCount),
            rows, form.width(observationSize, actionCount), Float.NaN);
        for (int i = 0; i < rows; i++) {
          out[i] = p[i][0];
        }
        return out;
      }
      for (int a = 0; a < actionCount; a++) {
        int action = a;
        int[] taken = IntStream.range(0, rows).filter(i -> actions[i] == action).toArray();
        if (taken.length == 0) {
          continue;
        }
        float[] x = new float[taken.length * observationSize];
        for (int k = 0; k < taken.length; k++) {
          System.arraycopy(obs, taken[k] * observationSize, x, k * observationSize, observationSize);
        }
        float[][] p = boosters[a].inplace_predict(x, taken.length, observationSize, Float.NaN);
        for (int k = 0; k < taken.length; k++) {
          out[taken[k]] = p[k][0];
        }
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
    }
    return out;
  }

  /** [obs, one-hot(action)] rows; the action is {@code actions[i]}, or {@code fixed} for every row when it is >= 0. */
  static float[] withOneHot(float[] obs, int rows, int[] actions, int fixed, int observationSize, int actionCount) {
    int width = observationSize + actionCount;
    float[] x = new float[rows * width];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(obs, i * observationSize, x, i * width, observationSize);
      x[i * width + observationSize + (fixed >= 0 ? fixed : actions[i])] = 1f;
    }
    return x;
  }

  @Override
  public Map<String, byte[]> export() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try {
      for (int b = 0; b < boosters.length; b++) {
        files.put(form.fileName(b), TreeForm.portable(boosters[b].toByteArray("json")));
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException(e);
    }
    return files;
  }

  @Override
  public void close() {
    for (Booster b : boosters) {
      b.dispose();
    }
  }
}
