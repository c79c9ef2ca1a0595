package org.batchq.runtime;

import java.util.Map;
import java.util.stream.IntStream;

/**
 * An XGBoost {@code multi:softprob} classifier of the action taken in a state, pi(a | s) (behaviour cloning's
 * {@code policy.json}), evaluated in plain Java from its JSON file like every loaded booster ({@link JsonTrees}):
 * margins summed per class in float32, then the softmax. As a {@link QFunction} its action values are its
 * probabilities, so a greedy policy over it takes the most likely action: behaviour cloning acts through the same
 * paths as FQI's models.
 */
public final class ActionProbabilities implements QFunction {
  /** The bundle's file: XGBoost's own JSON model. */
  public static final String FILE = "policy.json";
  /** Behaviour cloning: the algorithm whose bundles hold it. */
  public static final String ALGORITHM = "bc";

  private final JsonTrees trees;
  private final int observationSize;
  private final Map<String, byte[]> files;

  private ActionProbabilities(JsonTrees trees, int observationSize, byte[] json) {
    this.trees = trees;
    this.observationSize = observationSize;
    this.files = Map.of(FILE, json);
  }

  /** Reads a classifier a bundle holds. */
  public static ActionProbabilities load(int observationSize, int actionCount, Map<String, byte[]> files) {
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
    return new ActionProbabilities(trees, observationSize, json);
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
    IntStream range = IntStream.range(0, rows);
    // Each row depends on itself alone, so threads change no bit; one observation is not worth handing over.
    (rows > 32 ? range.parallel() : range).forEach(i -> {
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
