package org.batchq.learner;

import java.util.List;
import java.util.Map;
import org.batchq.learner.neural.MlpQFunction;
import org.batchq.learner.xgboost.TreeForm;
import org.batchq.learner.xgboost.XgboostRegressor;

/**
 * The one registry of learners: the algorithm names the CLI and manifests use, and how to load the Q-function each
 * one exported. A new learner is added here, beside its settings' JSON name in {@link LearnerSettings}.
 */
public final class Learners {
  /** Every algorithm name, in the order the CLI lists them. */
  public static final List<String> ALGORITHMS = List.of("multiple", "single", "neural");

  private Learners() {}

  /** Loads the Q-function that a regressor of {@code algorithm} exported as {@code files}. */
  public static QFunction load(String algorithm, int observationSize, int actionCount, Map<String, byte[]> files) {
    return switch (algorithm) {
      case "multiple" -> XgboostRegressor.load(TreeForm.MULTIPLE, observationSize, actionCount, files);
      case "single" -> XgboostRegressor.load(TreeForm.SINGLE, observationSize, actionCount, files);
      case "neural" -> MlpQFunction.load(files);
      default -> throw new IllegalArgumentException("unknown algorithm '" + algorithm + "' (known: "
          + String.join(", ", ALGORITHMS) + ")");
    };
  }
}
