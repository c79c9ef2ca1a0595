package org.batchq.learner.xgboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.batchq.learner.Regressor;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class XgboostRegressorTest {
  /**
   * The training loss reads Q(s_i, a_i) from XGBoost's prediction cache of the training matrices instead of
   * predicting every action's matrix again: the values must be the same bits, row for row, in both forms (multiple
   * scatters each booster's rows back to where they came from), for a fresh fit and for a warm-started one.
   */
  @ParameterizedTest
  @EnumSource(TreeForm.class)
  void takenActionValuesFromTheCacheEqualAFullPrediction(TreeForm form) {
    int rows = 3_000;
    int d = 3;
    int actions = 3;
    SplittableRandom rng = new SplittableRandom(5);
    float[] obs = new float[rows * d];
    int[] taken = new int[rows];
    float[] y = new float[rows];
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < d; k++) {
        obs[i * d + k] = (float) rng.nextDouble(-1, 1);
      }
      taken[i] = rng.nextInt(actions);
      y[i] = obs[i * d] * (taken[i] + 1) + (float) rng.nextDouble(-0.1, 0.1);
    }
    XgboostSettings d6 = XgboostSettings.defaults(form, 1);
    XgboostSettings settings = new XgboostSettings(form, 20, d6.maxDepth(), d6.eta(), d6.minChildWeight(),
        d6.subsample(), d6.colsampleByNode(), d6.parallelTrees(), d6.maxBin(), 2, 1, true);
    try (XgboostRegressor regressor = new XgboostRegressor(settings, d, actions)) {
      Regressor.StateSet s = regressor.states(obs, rows);
      QFunction first = regressor.fit(s, taken, y, null);
      assertArrayEquals(fullPrediction(regressor, first, s, taken), regressor.predictTaken(first, s, taken), form + "");
      QFunction warm = regressor.fit(s, taken, y, first); // continues first's boosters
      assertArrayEquals(fullPrediction(regressor, warm, s, taken), regressor.predictTaken(warm, s, taken), form + "");
      warm.close();
    }
  }

  private static float[] fullPrediction(Regressor regressor, QFunction q, Regressor.StateSet s, int[] taken) {
    float[] all = regressor.predict(q, s);
    int actions = all.length / taken.length;
    float[] out = new float[taken.length];
    for (int i = 0; i < taken.length; i++) {
      out[i] = all[i * actions + taken[i]];
    }
    return out;
  }
}
