package org.batchq.learner;

import java.util.List;
import java.util.Map;
import org.batchq.io.InvalidSettingException;
import org.batchq.learner.neural.MlpQFunction;
import org.batchq.learner.neural.NeuralSettings;
import org.batchq.learner.xgboost.ActionClassifier;
import org.batchq.learner.xgboost.TreeForm;
import org.batchq.learner.xgboost.XgboostRegressor;
import org.batchq.learner.xgboost.XgboostSettings;

/**
 * The one registry of learners: the algorithm names the CLI and manifests use, and how to load the Q-function each
 * one exported. A new learner is added here, beside its settings' JSON name in {@link LearnerSettings}.
 */
public final class Learners {
  /** Every FQI algorithm name, in the order the CLI lists them. */
  public static final List<String> ALGORITHMS = List.of("multiple", "single", "neural");

  /** Behaviour cloning: a bundle of an action classifier, whose action values are its probabilities. */
  public static final String BEHAVIOR_CLONING = "bc";

  private Learners() {}

  /** The default settings of {@code algorithm}'s learner, seeded with {@code seed}. */
  public static LearnerSettings defaults(String algorithm, long seed) {
    return switch (algorithm) {
      case "multiple" -> XgboostSettings.defaults(TreeForm.MULTIPLE, seed);
      case "single" -> XgboostSettings.defaults(TreeForm.SINGLE, seed);
      case "neural" -> NeuralSettings.defaults(seed);
      default -> throw unknown(algorithm);
    };
  }

  /** Loads the Q-function that a regressor of {@code algorithm} exported as {@code files}. */
  public static QFunction load(String algorithm, int observationSize, int actionCount, Map<String, byte[]> files) {
    return switch (algorithm) {
      case "multiple" -> XgboostRegressor.load(TreeForm.MULTIPLE, observationSize, actionCount, files);
      case "single" -> XgboostRegressor.load(TreeForm.SINGLE, observationSize, actionCount, files);
      case "neural" -> MlpQFunction.load(files);
      case BEHAVIOR_CLONING -> ActionClassifier.load(observationSize, actionCount, files);
      default -> throw unknown(algorithm);
    };
  }

  private static InvalidSettingException unknown(String algorithm) {
    return new InvalidSettingException("unknown algorithm '" + algorithm + "' (known: " + String.join(", ", ALGORITHMS)
        + ", " + BEHAVIOR_CLONING + ")", "algorithm");
  }
}
