package org.batchq.learner;

import java.util.List;
import org.batchq.io.InvalidSettingException;
import org.batchq.learner.neural.NeuralSettings;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.runtime.ActionProbabilities;
import org.batchq.runtime.TreeForm;

/**
 * The one registry of learners: the algorithm names the CLI and manifests use, and their default settings. How a
 * bundle's Q-function is loaded is the runtime's ({@link org.batchq.runtime.Bundle#qFunction}). A new learner is
 * added here and there, beside its settings' JSON name in {@link LearnerSettings}.
 */
public final class Learners {
  /** Every FQI algorithm name, in the order the CLI lists them. */
  public static final List<String> ALGORITHMS = List.of("multiple", "single", "neural");

  /** Behaviour cloning: a bundle of an action classifier, whose action values are its probabilities. */
  public static final String BEHAVIOR_CLONING = ActionProbabilities.ALGORITHM;

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

  private static InvalidSettingException unknown(String algorithm) {
    return new InvalidSettingException("unknown algorithm '" + algorithm + "' (known: " + String.join(", ", ALGORITHMS)
        + ", " + BEHAVIOR_CLONING + ")", "algorithm");
  }
}
