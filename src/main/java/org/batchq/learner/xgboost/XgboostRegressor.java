package org.batchq.learner.xgboost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.batchq.io.InvalidSettingException;
import org.batchq.learner.LearnerSettings;
import org.batchq.learner.QFunction;
import org.batchq.learner.Regressor;
import org.batchq.learner.UnusableDataException;

/**
 * Gradient-boosted trees (XGBoost4J) as the FQI regressor, in two forms: {@code multiple}, one booster per action
 * trained on the rows that took it, and {@code single}, one booster on [obs, one-hot(action)].
 *
 * <p>Every matrix is built once per fit: training matrices on the first {@link #fit} and relabelled afterwards,
 * state-set matrices at registration. Saved boosters are XGBoost's own JSON model files.
 */
public final class XgboostRegressor implements Regressor {
  public enum Form { MULTIPLE, SINGLE }

  /**
   * @param rounds boosting rounds (trees per booster, times parallelTrees) added per FQI iteration
   * @param parallelTrees trees per round; with subsampling this trains a random forest per round
   * @param warmStart each iteration continues from the previous iteration's boosters instead of starting afresh
   */
  public record Settings(
      Form form, int rounds, int maxDepth, double eta, double minChildWeight, double subsample,
      double colsampleByNode, int parallelTrees, int maxBin, int threads, long seed, boolean warmStart)
      implements LearnerSettings {

    public Settings {
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
    public static Settings defaults(Form form, long seed) {
      return new Settings(form, 100, 6, 0.3, 1, 1, 1, 1, 256, Runtime.getRuntime().availableProcessors(), seed, false);
    }

    @Override
    public String algorithm() {
      return form.name().toLowerCase();
    }

    @Override
    public Settings withThreads(int n) {
      return new Settings(form, rounds, maxDepth, eta, minChildWeight, subsample, colsampleByNode, parallelTrees, maxBin,
          n, seed, warmStart);
    }

    @Override
    public Settings withSeed(long s) {
      return new Settings(form, rounds, maxDepth, eta, minChildWeight, subsample, colsampleByNode, parallelTrees, maxBin,
          threads, s, warmStart);
    }

    @Override
    public QFunction mean(List<QFunction> members, int observationSize, int actionCount) {
      return XgboostRegressor.mean(form, observationSize, actionCount, members);
    }

    @Override
    public Regressor create(int observationSize, int actionCount) {
      return new XgboostRegressor(this, observationSize, actionCount);
    }

    /** XGBoost's own parameters for these settings, as a training call takes them. */
    public Map<String, Object> params() {
      Map<String, Object> p = new TreeMap<>();
      p.put("objective", "reg:squarederror");
      p.put("tree_method", "hist");
      p.put("max_depth", maxDepth);
      p.put("eta", eta);
      p.put("min_child_weight", minChildWeight);
      p.put("subsample", subsample);
      p.put("colsample_bynode", colsampleByNode);
      p.put("num_parallel_tree", parallelTrees);
      p.put("max_bin", maxBin);
      p.put("nthread", threads);
      p.put("seed", seed);
      p.put("verbosity", 0);
      return p;
    }
  }

  /** XGBoost's own JSON, read and written as a tree (not batchq's snake_case mapper). */
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Settings settings;
  private final int observationSize;
  private final int actionCount;
  private final List<DMatrix> owned = new ArrayList<>();

  public XgboostRegressor(Settings settings, int observationSize, int actionCount) {
    this.settings = settings;
    this.observationSize = observationSize;
    this.actionCount = actionCount;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("form", settings.form().name().toLowerCase());
    s.put("rounds_per_iteration", settings.rounds());
    s.put("warm_start", settings.warmStart());
    Map<String, Object> params = settings.params();
    params.remove("nthread"); // a run fact: the model does not depend on it
    s.put("xgboost_params", params);
    return s;
  }

  /** The matrices of one registered state set, plus its training matrices once it has been fitted on. */
  private final class Matrices implements StateSet {
    final float[] obs;
    final int rows;
    final DMatrix[] perAction; // multiple: one matrix shared by all actions; single: obs + one-hot(a) per action
    DMatrix[] training; // built on the first fit, relabelled later
    int[][] rowsOfAction; // multiple: which rows train which booster

    Matrices(float[] obs, int rows) {
      this.obs = obs;
      this.rows = rows;
      this.perAction = settings.form() == Form.MULTIPLE
          ? new DMatrix[] {matrix(obs, rows, observationSize)}
          : allActions(obs, rows);
    }

    @Override
    public int rows() {
      return rows;
    }

    DMatrix forAction(int a) {
      return perAction[settings.form() == Form.MULTIPLE ? 0 : a];
    }
  }

  @Override
  public StateSet states(float[] obs, int rows) {
    return new Matrices(obs, rows);
  }

  @Override
  public QFunction fit(StateSet states, int[] actions, float[] targets, QFunction previous) {
    Matrices m = (Matrices) states;
    if (m.training == null) {
      buildTraining(m, actions);
    }
    // Warm start continues Q_k's boosters in place: Q_k is not needed once its targets are computed, and XGBoost's
    // prediction caches then only evaluate the new trees on every matrix it has seen.
    Booster[] boosters = settings.warmStart() && previous != null
        ? ((Model) previous).handOver()
        : new Booster[m.training.length];
    try {
      for (int b = 0; b < boosters.length; b++) {
        float[] labels = settings.form() == Form.MULTIPLE ? gather(targets, m.rowsOfAction[b]) : targets;
        m.training[b].setLabel(labels);
        boosters[b] = XGBoost.train(m.training[b], settings.params(), settings.rounds(), Map.of(), null, null, null, 0,
            boosters[b]);
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost training failed: " + e.getMessage(), e);
    }
    return new Model(settings.form(), observationSize, actionCount, boosters);
  }

  @Override
  public QFunction mean(List<QFunction> members) {
    return mean(settings.form(), observationSize, actionCount, members);
  }

  @Override
  public float[] predict(QFunction q, StateSet states) {
    Matrices m = (Matrices) states;
    Model model = (Model) q;
    float[] out = new float[m.rows * actionCount];
    try {
      for (int a = 0; a < actionCount; a++) {
        Booster booster = model.boosters[settings.form() == Form.MULTIPLE ? a : 0];
        float[][] p = booster.predict(m.forAction(a));
        for (int i = 0; i < m.rows; i++) {
          out[i * actionCount + a] = p[i][0];
        }
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
    }
    return out;
  }

  private void buildTraining(Matrices m, int[] actions) {
    if (settings.form() == Form.SINGLE) {
      m.training = new DMatrix[] {matrix(withOneHot(m.obs, m.rows, actions, -1), m.rows, observationSize + actionCount)};
      return;
    }
    int[] counts = new int[actionCount];
    for (int a : actions) {
      counts[a]++;
    }
    m.rowsOfAction = new int[actionCount][];
    m.training = new DMatrix[actionCount];
    for (int a = 0; a < actionCount; a++) {
      if (counts[a] == 0) {
        throw new UnusableDataException("action " + a + " never occurs in the training data: 'multiple' fits one"
            + " booster per action and has nothing to fit for it (use --algorithm single, or collect data that"
            + " takes every action)");
      }
      int[] idx = new int[counts[a]];
      float[] x = new float[counts[a] * observationSize];
      int n = 0;
      for (int i = 0; i < actions.length; i++) {
        if (actions[i] == a) {
          System.arraycopy(m.obs, i * observationSize, x, n * observationSize, observationSize);
          idx[n++] = i;
        }
      }
      m.rowsOfAction[a] = idx;
      m.training[a] = matrix(x, n, observationSize);
    }
  }

  private DMatrix[] allActions(float[] obs, int rows) {
    DMatrix[] out = new DMatrix[actionCount];
    int[] none = null;
    for (int a = 0; a < actionCount; a++) {
      out[a] = matrix(withOneHot(obs, rows, none, a), rows, observationSize + actionCount);
    }
    return out;
  }

  /** [obs, one-hot(action)] rows; the action is {@code actions[i]}, or {@code fixed} for every row when it is >= 0. */
  static float[] withOneHot(float[] obs, int rows, int[] actions, int fixed, int observationSize, int actionCount) {
    int width = observationSize + actionCount;
    float[] x = new float[rows * width];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(obs, i * observationSize, x, i * width, observationSize);
      x[i * width + observationSize + (fixed >= 0 ? fixed : actions[i])] = 1f;
    }
    return x;
  }

  private float[] withOneHot(float[] obs, int rows, int[] actions, int fixed) {
    return withOneHot(obs, rows, actions, fixed, observationSize, actionCount);
  }

  private DMatrix matrix(float[] x, int rows, int cols) {
    try {
      DMatrix d = new DMatrix(x, rows, cols, Float.NaN);
      owned.add(d);
      return d;
    } catch (XGBoostError e) {
      throw new IllegalStateException("cannot build an XGBoost matrix: " + e.getMessage(), e);
    }
  }

  private static float[] gather(float[] values, int[] idx) {
    float[] out = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = values[idx[i]];
    }
    return out;
  }

  @Override
  public void close() {
    owned.forEach(DMatrix::dispose);
    owned.clear();
  }

  /** The bundle's file name for booster {@code booster}: one per action for multiple, one for single. */
  public static String fileName(Form form, int booster) {
    return form == Form.MULTIPLE ? "q-action-" + booster + ".json" : "q.json";
  }

  /**
   * The mean of several models of one form as one model: per booster, every member's trees side by side with their
   * leaf values divided by the member count, and the mean of their base scores. The result is an ordinary XGBoost
   * model (one file per booster, as for a single fit) whose prediction is the members' mean, up to float rounding.
   */
  static QFunction mean(Form form, int observationSize, int actionCount, List<QFunction> members) {
    int n = form == Form.MULTIPLE ? actionCount : 1;
    Map<String, byte[]> files = new LinkedHashMap<>();
    try {
      for (int b = 0; b < n; b++) {
        List<JsonNode> models = new ArrayList<>();
        for (QFunction m : members) {
          models.add(MAPPER.readTree(((Model) m).boosters[b].toByteArray("json")));
        }
        files.put(fileName(form, b), MAPPER.writeValueAsBytes(meanOfModels(models)));
      }
    } catch (XGBoostError | java.io.IOException e) {
      throw new IllegalStateException("cannot combine XGBoost models: " + e.getMessage(), e);
    }
    return load(form, observationSize, actionCount, files);
  }

  /** XGBoost's JSON model format (learner.gradient_booster.model: trees, tree_info, iteration_indptr). */
  private static JsonNode meanOfModels(List<JsonNode> models) {
    double scale = 1.0 / models.size();
    ObjectNode merged = models.get(0).deepCopy();
    ObjectNode learner = (ObjectNode) merged.get("learner");
    ObjectNode model = (ObjectNode) learner.get("gradient_booster").get("model");
    ArrayNode trees = MAPPER.createArrayNode();
    ArrayNode treeInfo = MAPPER.createArrayNode();
    ArrayNode indptr = MAPPER.createArrayNode().add(0);
    double baseScore = 0;
    for (JsonNode m : models) {
      JsonNode member = m.get("learner").get("gradient_booster").get("model");
      int offset = trees.size();
      for (JsonNode t : member.get("trees")) {
        ObjectNode tree = t.deepCopy();
        JsonNode left = tree.get("left_children");
        ArrayNode values = (ArrayNode) tree.get("split_conditions");
        ArrayNode weights = (ArrayNode) tree.get("base_weights");
        for (int i = 0; i < left.size(); i++) {
          weights.set(i, weights.get(i).asDouble() * scale);
          if (left.get(i).asInt() == -1) { // a leaf: its split condition is its value
            values.set(i, values.get(i).asDouble() * scale);
          }
        }
        tree.put("id", trees.size());
        trees.add(tree);
      }
      member.get("tree_info").forEach(treeInfo::add);
      JsonNode memberIndptr = member.get("iteration_indptr");
      for (int i = 1; i < memberIndptr.size(); i++) {
        indptr.add(offset + memberIndptr.get(i).asInt());
      }
      // "[3.8964115E1]": a one-element list for the one target
      String base = m.get("learner").get("learner_model_param").get("base_score").asText();
      baseScore += Double.parseDouble(base.replace("[", "").replace("]", "")) * scale;
    }
    model.set("trees", trees);
    model.set("tree_info", treeInfo);
    model.set("iteration_indptr", indptr);
    ((ObjectNode) model.get("gbtree_model_param")).put("num_trees", Integer.toString(trees.size()));
    ((ObjectNode) learner.get("learner_model_param")).put("base_score", "[" + (float) baseScore + "]");
    return merged;
  }

  /** Loads a Q-function from the booster files {@link Model#export()} wrote. */
  public static QFunction load(Form form, int observationSize, int actionCount, Map<String, byte[]> files) {
    int n = form == Form.MULTIPLE ? actionCount : 1;
    Booster[] boosters = new Booster[n];
    for (int b = 0; b < n; b++) {
      String name = fileName(form, b);
      byte[] bytes = files.get(name);
      if (bytes == null) {
        throw new IllegalArgumentException("missing booster file " + name);
      }
      try {
        boosters[b] = XGBoost.loadModel(bytes);
        // A loaded model acts on small batches (one row per environment): one thread beats OpenMP's hand-off, and
        // spinning OpenMP workers starve everything else when two processes share the cores.
        boosters[b].setParam("nthread", 1);
      } catch (XGBoostError | java.io.IOException e) {
        throw new IllegalArgumentException("booster file " + name + " is not a valid XGBoost model (" + e.getMessage() + ")", e);
      }
    }
    return new Model(form, observationSize, actionCount, boosters);
  }

  /** Boosters as a Q-function; predicts in place from arrays, without building matrices. */
  static final class Model implements QFunction {
    final Form form;
    final int observationSize;
    final int actionCount;
    private Booster[] boosters;

    Model(Form form, int observationSize, int actionCount, Booster[] boosters) {
      this.form = form;
      this.observationSize = observationSize;
      this.actionCount = actionCount;
      this.boosters = boosters;
    }

    /** Gives this model's boosters to the next iteration's model; this one is left empty. */
    Booster[] handOver() {
      Booster[] b = boosters;
      boosters = new Booster[0];
      return b;
    }


    @Override
    public int actionCount() {
      return actionCount;
    }

    @Override
    public float[] predict(float[] obs, int rows) {
      float[] out = new float[rows * actionCount];
      try {
        for (int a = 0; a < actionCount; a++) {
          float[][] p = form == Form.MULTIPLE
              ? boosters[a].inplace_predict(obs, rows, observationSize, Float.NaN)
              : boosters[0].inplace_predict(withOneHot(obs, rows, null, a, observationSize, actionCount), rows,
                  observationSize + actionCount, Float.NaN);
          for (int i = 0; i < rows; i++) {
            out[i * actionCount + a] = p[i][0];
          }
        }
      } catch (XGBoostError e) {
        throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
      }
      return out;
    }

    @Override
    public Map<String, byte[]> export() {
      Map<String, byte[]> files = new LinkedHashMap<>();
      try {
        for (int b = 0; b < boosters.length; b++) {
          files.put(fileName(form, b), boosters[b].toByteArray("json"));
        }
      } catch (XGBoostError e) {
        throw new IllegalStateException(e);
      }
      return files;
    }

    @Override
    public void close() {
      for (Booster b : boosters) {
        b.dispose();
      }
    }
  }
}
