package org.batchq.learner;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.batchq.learner.neural.NeuralSettings;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.runtime.QFunction;

/** The settings of one FQI learner; each kind makes its own {@link Regressor}. {@link Learners} lists the kinds. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = XgboostSettings.class, name = "xgboost"),
    @JsonSubTypes.Type(value = NeuralSettings.class, name = "neural")})
public interface LearnerSettings {
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

  /**
   * Loads what the learner's first fit needs and the JVM does not have yet (a native library), so that a caller can
   * do it on another core while it reads the data; changes nothing else. Calling it is never required.
   */
  default void prepare() {}
}
