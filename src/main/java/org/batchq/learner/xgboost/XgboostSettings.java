package org.batchq.learner.xgboost;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.batchq.io.InvalidSettingException;
import org.batchq.learner.LearnerSettings;
import org.batchq.learner.Regressor;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;

/**
 * The settings of the XGBoost learner, in XGBoost's own terms where it has them.
 *
 * @param form one booster per action ({@code multiple}) or one on [obs, one-hot(action)] ({@code single})
 * @param rounds boosting rounds (trees per booster, times parallelTrees) added per FQI iteration
 * @param parallelTrees trees per round; with subsampling this trains a random forest per round
 * @param warmStart each iteration continues from the previous iteration's boosters instead of starting afresh
 */
public record XgboostSettings(
    TreeForm form, int rounds, int maxDepth, double eta, double minChildWeight, double subsample,
    double colsampleByNode, int parallelTrees, int maxBin, int threads, long seed, boolean warmStart)
    implements LearnerSettings {

  public XgboostSettings {
    InvalidSettingException.atLeast("learner.rounds", rounds, 1);
    InvalidSettingException.atLeast("learner.max_depth", maxDepth, 1);
    InvalidSettingException.in("learner.eta", eta, 0, false, 1, true);
    InvalidSettingException.in("learner.min_child_weight", minChildWeight, 0, true, Double.POSITIVE_INFINITY, false);
    InvalidSettingException.in("learner.subsample", subsample, 0, false, 1, true);
    InvalidSettingException.in("learner.colsample_by_node", colsampleByNode, 0, false, 1, true);
    InvalidSettingException.atLeast("learner.parallel_trees", parallelTrees, 1);
    InvalidSettingException.atLeast("learner.max_bin", maxBin, 2);
    InvalidSettingException.atLeast("learner.threads", threads, 1);
  }

  /** The defaults of {@code fit}: 100 trees of depth 6 per iteration at XGBoost's own learning rate, all cores. */
  public static XgboostSettings defaults(TreeForm form, long seed) {
    return new XgboostSettings(form, 100, 6, 0.3, 1, 1, 1, 1, 256, Runtime.getRuntime().availableProcessors(), seed, false);
  }

  @Override
  public String algorithm() {
    return form.algorithm();
  }

  @Override
  public XgboostSettings withThreads(int n) {
    return new XgboostSettings(form, rounds, maxDepth, eta, minChildWeight, subsample, colsampleByNode, parallelTrees, maxBin,
        n, seed, warmStart);
  }

  /** The same settings with another number of trees per iteration. */
  public XgboostSettings withRounds(int r) {
    return new XgboostSettings(form, r, maxDepth, eta, minChildWeight, subsample, colsampleByNode, parallelTrees, maxBin,
        threads, seed, warmStart);
  }

  /** The same settings with another tree depth. */
  public XgboostSettings withMaxDepth(int depth) {
    return new XgboostSettings(form, rounds, depth, eta, minChildWeight, subsample, colsampleByNode, parallelTrees, maxBin,
        threads, seed, warmStart);
  }

  @Override
  public XgboostSettings withSeed(long s) {
    return new XgboostSettings(form, rounds, maxDepth, eta, minChildWeight, subsample, colsampleByNode, parallelTrees, maxBin,
        threads, s, warmStart);
  }

  @Override
  public QFunction mean(List<QFunction> members, int observationSize, int actionCount) {
    return BoosterMean.of(form, observationSize, actionCount, members);
  }

  @Override
  public Regressor create(int observationSize, int actionCount) {
    return new XgboostRegressor(this, observationSize, actionCount);
  }

  /** XGBoost4J's native library: about 0.2 s to extract and link, the first time a matrix is made. */
  @Override
  public void prepare() {
    try {
      new DMatrix(new float[] {0f}, 1, 1, Float.NaN).dispose();
    } catch (XGBoostError e) {
      throw new IllegalStateException(e);
    }
  }

  /** XGBoost's own parameters for these settings, as a training call takes them. */
  public Map<String, Object> params() {
    Map<String, Object> p = common("reg:squarederror", maxDepth, eta, minChildWeight, threads, seed);
    p.put("subsample", subsample);
    p.put("colsample_bynode", colsampleByNode);
    p.put("num_parallel_tree", parallelTrees);
    p.put("max_bin", maxBin);
    return p;
  }

  /** The parameters every batchq booster sets, regressor or classifier. */
  static Map<String, Object> common(String objective, int maxDepth, double eta, double minChildWeight, int threads,
      long seed) {
    Map<String, Object> p = new TreeMap<>();
    p.put("objective", objective);
    p.put("tree_method", "hist");
    p.put("max_depth", maxDepth);
    p.put("eta", eta);
    p.put("min_child_weight", minChildWeight);
    p.put("nthread", threads);
    p.put("seed", seed);
    p.put("verbosity", 0);
    return p;
  }
}
