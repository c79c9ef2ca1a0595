package org.batchq.learner.xgboost;

import java.util.Map;
import java.util.TreeMap;
import org.batchq.io.InvalidSettingException;

/**
 * The settings of the XGBoost action classifier ({@code multi:softprob}): behaviour cloning, and the behaviour model
 * that estimates a log's missing behaviour probabilities.
 *
 * @param rounds boosting rounds (one tree per action each)
 */
public record ClassifierSettings(int rounds, int maxDepth, double eta, double minChildWeight, int threads, long seed) {
  public ClassifierSettings {
    InvalidSettingException.atLeast("learner.rounds", rounds, 1);
    InvalidSettingException.atLeast("learner.max_depth", maxDepth, 1);
    InvalidSettingException.in("learner.eta", eta, 0, false, 1, true);
    InvalidSettingException.in("learner.min_child_weight", minChildWeight, 0, true, Double.POSITIVE_INFINITY, false);
    InvalidSettingException.atLeast("learner.threads", threads, 1);
  }

  /**
   * 100 rounds of depth-4 trees at learning rate 0.1, at least 10 rows' weight per leaf: probabilities, not labels,
   * are the point, so the trees are kept from fitting single rows.
   */
  public static ClassifierSettings defaults(long seed) {
    return new ClassifierSettings(100, 4, 0.1, 10, Runtime.getRuntime().availableProcessors(), seed);
  }

  public ClassifierSettings withSeed(long s) {
    return new ClassifierSettings(rounds, maxDepth, eta, minChildWeight, threads, s);
  }

  /** XGBoost's parameters for {@code classes} actions; the intercept is 0 so every XGBoost reads the file alike. */
  Map<String, Object> params(int classes) {
    Map<String, Object> p = XgboostSettings.common("multi:softprob", maxDepth, eta, minChildWeight, threads, seed);
    p.put("num_class", classes);
    p.put("base_score", 0.0);
    return p;
  }

  /** The settings as a model manifest records them (the thread count is a run fact). */
  public Map<String, Object> recorded() {
    Map<String, Object> m = new TreeMap<>(params(0));
    m.remove("nthread");
    m.remove("num_class");
    m.put("rounds", rounds);
    return m;
  }
}
