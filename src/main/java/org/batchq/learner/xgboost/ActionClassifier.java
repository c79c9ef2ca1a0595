package org.batchq.learner.xgboost;

import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.batchq.runtime.ActionProbabilities;
import org.batchq.runtime.TreeForm;

/**
 * Fits an XGBoost {@code multi:softprob} classifier of the action taken in a state, pi(a | s), through XGBoost4J;
 * what it returns is evaluated in plain Java ({@link ActionProbabilities}), as every loaded booster is. As a
 * Q-function its action values are its probabilities, so a greedy policy over it takes the most likely action:
 * behaviour cloning acts through the same paths as FQI's models.
 */
public final class ActionClassifier {
  private ActionClassifier() {}

  /** Fits pi(a | s) on {@code rows} observations (row-major) and the actions taken in them. */
  public static ActionProbabilities fit(float[] obs, int rows, int observationSize, int[] actions, int actionCount,
      ClassifierSettings settings) {
    float[] labels = new float[rows];
    for (int i = 0; i < rows; i++) {
      labels[i] = actions[i];
    }
    DMatrix matrix = null;
    try {
      matrix = new DMatrix(obs, rows, observationSize, Float.NaN);
      matrix.setLabel(labels);
      Booster booster = XGBoost.train(matrix, settings.params(actionCount), settings.rounds(), Map.of(), null, null);
      try {
        byte[] json = TreeForm.portable(booster.toByteArray("json"));
        return ActionProbabilities.load(observationSize, actionCount, Map.of(ActionProbabilities.FILE, json));
      } finally {
        booster.dispose();
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost training failed: " + e.getMessage(), e);
    } finally {
      if (matrix != null) {
        matrix.dispose();
      }
    }
  }
}
