package org.batchq.ope;

import org.batchq.env.Rng;
import org.batchq.fqi.FqiData;
import org.batchq.learner.UnusableDataException;
import org.batchq.learner.xgboost.ActionClassifier;
import org.batchq.learner.xgboost.ClassifierSettings;
import org.batchq.runtime.ActionProbabilities;

/**
 * Behaviour probabilities for a log that does not carry them: an action classifier (XGBoost softmax) fitted on
 * {@value #FOLDS} folds of whole episodes, each row's mu(a_t | s_t) predicted by the model that did not see its
 * episode, so that the estimate is not flattered by the rows it was fitted on. A fold depends only on the seed and
 * the episode's index in the log.
 */
public final class BehaviorModel {
  public static final int FOLDS = 5;
  private static final long FOLD_STREAM = 13;

  /**
   * The smallest probability an estimate may give: a classifier's near-zero for an action that was taken would
   * otherwise make one ratio unbounded.
   */
  static final float FLOOR = 1e-3f;

  private BehaviorModel() {}

  /** mu(a_t | s_t) of every row's logged action, cross-fitted by episode. */
  public static float[] crossFitted(FqiData data, int[] starts, ClassifierSettings settings) {
    int episodes = starts.length - 1;
    if (episodes < 2 * FOLDS) {
      throw new UnusableDataException("estimating behaviour probabilities takes at least " + 2 * FOLDS
          + " episodes (" + FOLDS + " folds); the log has " + episodes);
    }
    int[] fold = new int[episodes];
    for (int e = 0; e < episodes; e++) {
      fold[e] = Rng.derive(settings.seed(), FOLD_STREAM, e).nextInt(FOLDS);
    }
    int d = data.observationSize();
    int actions = data.actionCount();
    float[] out = new float[data.rows()];
    for (int f = 0; f < FOLDS; f++) {
      int train = 0;
      int test = 0;
      for (int e = 0; e < episodes; e++) {
        int len = starts[e + 1] - starts[e];
        train += fold[e] == f ? 0 : len;
        test += fold[e] == f ? len : 0;
      }
      if (test == 0) {
        continue;
      }
      if (train == 0) {
        throw new UnusableDataException("estimating behaviour probabilities: every episode fell into one fold");
      }
      float[] trainObs = new float[train * d];
      int[] trainActions = new int[train];
      float[] testObs = new float[test * d];
      int[] testRows = new int[test];
      int i = 0;
      int j = 0;
      for (int e = 0; e < episodes; e++) {
        for (int r = starts[e]; r < starts[e + 1]; r++) {
          if (fold[e] == f) {
            System.arraycopy(data.obs(), r * d, testObs, j * d, d);
            testRows[j++] = r;
          } else {
            System.arraycopy(data.obs(), r * d, trainObs, i * d, d);
            trainActions[i++] = data.actions()[r];
          }
        }
      }
      try (ActionProbabilities model = ActionClassifier.fit(trainObs, train, d, trainActions, actions, settings)) {
        float[] p = model.predict(testObs, test);
        for (int k = 0; k < test; k++) {
          out[testRows[k]] = Math.max(FLOOR, p[k * actions + data.actions()[testRows[k]]]);
        }
      }
    }
    return out;
  }
}
