package org.batchq.fqi;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Map;

/** The settings of one FQI learner; each kind makes its own {@link Regressor}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = XgboostRegressor.Settings.class, name = "xgboost"),
    @JsonSubTypes.Type(value = NeuralRegressor.Settings.class, name = "neural")})
public sealed interface LearnerSettings permits XgboostRegressor.Settings, NeuralRegressor.Settings {
  /** The algorithm's name as the CLI and manifests spell it: multiple, single or neural. */
  String algorithm();

  long seed();

  int threads();

  /** The same settings with another thread count (results do not depend on it). */
  LearnerSettings withThreads(int threads);

  /** The same settings with another seed (an ensemble's members differ by seed). */
  LearnerSettings withSeed(long seed);

  /**
   * One Q-function whose values are the mean of the members' (all fitted with these settings), in the same files
   * as a single model, so that any reader of single models reads it.
   */
  QFunction mean(java.util.List<QFunction> members, int observationSize, int actionCount);

  Regressor create(int observationSize, int actionCount);

  /** Loads the Q-function a regressor of this algorithm exported. */
  static QFunction load(String algorithm, int observationSize, int actionCount, Map<String, byte[]> files) {
    return switch (algorithm) {
      case "multiple" -> XgboostRegressor.load(XgboostRegressor.Form.MULTIPLE, observationSize, actionCount, files);
      case "single" -> XgboostRegressor.load(XgboostRegressor.Form.SINGLE, observationSize, actionCount, files);
      case "neural" -> MlpQFunction.load(files);
      default -> throw new IllegalArgumentException("unknown algorithm '" + algorithm + "'");
    };
  }
}
