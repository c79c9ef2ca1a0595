package org.batchq.learner.xgboost;

import java.util.Map;
import java.util.stream.IntStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.batchq.learner.QFunction;

/**
 * An XGBoost {@code multi:softprob} classifier of the action taken in a state: pi(a | s). Fitted through XGBoost4J,
 * evaluated in plain Java from its JSON file like every loaded booster ({@link JsonTrees}): margins summed per
 * class in float32, then the softmax. As a {@link QFunction} its action values are its probabilities, so a greedy
 * policy over it takes the most likely action: behaviour cloning acts through the same paths as FQI's models.
 */
public final class ActionClassifier implements QFunction {
  /** The bundle's file: XGBoost's own JSON model. */
  public static final String FILE = "policy.json";

  private final JsonTrees trees;
  private final int observationSize;
  private final Map<String, byte[]> files;

  private ActionClassifier(JsonTrees trees, int observationSize, byte[] json) {
    this.trees = trees;
    this.observationSize = observationSize;
    this.files = Map.of(FILE, json);
  }

  /** Fits pi(a | s) on {@code rows} observations (row-major) and the actions taken in them. */
  public static ActionClassifier fit(float[] obs, int rows, int observationSize, int[] actions, int actionCount,
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
        return load(observationSize, actionCount, Map.of(FILE, TreeForm.portable(booster.toByteArray("json"))));
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

  /** Reads a classifier a bundle holds. */
  public static ActionClassifier load(int observationSize, int actionCount, Map<String, byte[]> files) {
    byte[] json = files.get(FILE);
    if (json == null) {
      throw new IllegalArgumentException("missing classifier file " + FILE);
    }
    JsonTrees trees;
    try {
      trees = JsonTrees.parse(json, "multi:softprob");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(FILE + " is not a valid XGBoost classifier ("
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")", e);
    }
    if (trees.groups() != actionCount) {
      throw new IllegalArgumentException(FILE + " has " + trees.groups() + " classes for " + actionCount + " actions");
    }
    return new ActionClassifier(trees, observationSize, json);
  }

  @Override
  public int actionCount() {
    return trees.groups();
  }

  /** pi(a | s) for {@code rows} observations, row-major rows x actions. */
  @Override
  public float[] predict(float[] obs, int rows) {
    int k = trees.groups();
    float[] out = new float[rows * k];
    IntStream.range(0, rows).parallel().forEach(i -> {
      float max = Float.NEGATIVE_INFINITY;
      for (int a = 0; a < k; a++) {
        out[i * k + a] = trees.predict(obs, i * observationSize, observationSize, -1, a);
        max = Math.max(max, out[i * k + a]);
      }
      double sum = 0;
      for (int a = 0; a < k; a++) {
        sum += Math.exp(out[i * k + a] - max);
      }
      for (int a = 0; a < k; a++) {
        out[i * k + a] = (float) (Math.exp(out[i * k + a] - max) / sum);
      }
    });
    return out;
  }

  @Override
  public Map<String, byte[]> export() {
    return files;
  }

  @Override
  public void close() {
    // plain Java arrays: nothing to free
  }
}
