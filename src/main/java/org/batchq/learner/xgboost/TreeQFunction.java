package org.batchq.learner.xgboost;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.batchq.learner.QFunction;

/**
 * An XGBoost Q-function evaluated in plain Java from its JSON model files: no native library, no per-call cost.
 * It gives XGBoost's own predictions bit for bit ({@code TreeQFunctionTest}): each booster's trees are walked in
 * file order and their leaf values added in float32 to the base score, as XGBoost's CPU predictor does; a feature
 * goes left when it is below the split condition, and a missing value (NaN) goes the node's default way.
 *
 * <p>Every booster's nodes sit in flat primitive arrays, children as absolute indices, so a walk touches a few
 * cache lines per tree. Numbers are parsed from the JSON text straight to float32, as XGBoost parses them.
 */
final class TreeQFunction implements QFunction {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /**
   * One booster: its trees' roots, and per node its left child (-1 at a leaf; XGBoost places the right child just
   * after the left, which the loader checks), its feature, its split condition or leaf value, and whether a missing
   * value goes left.
   */
  private record Booster(float baseScore, int[] roots, int[] left, int[] feature, float[] value,
      boolean[] defaultLeft) {

    /** The booster's output for row {@code x} of width {@code d}; in the single form, action {@code a} one-hot. */
    float predict(float[] x, int at, int d, int oneHotAction) {
      float sum = baseScore;
      for (int root : roots) {
        int n = root;
        for (int l = left[n]; l >= 0; l = left[n]) {
          int f = feature[n];
          float v = f < d ? x[at + f] : (f - d == oneHotAction ? 1f : 0f);
          n = v < value[n] ? l : v >= value[n] ? l + 1 : defaultLeft[n] ? l : l + 1; // NaN: neither comparison
        }
        sum += value[n];
      }
      return sum;
    }
  }

  private final TreeForm form;
  private final int observationSize;
  private final int actionCount;
  private final Booster[] boosters;
  private final Map<String, byte[]> files;

  private TreeQFunction(TreeForm form, int observationSize, int actionCount, Booster[] boosters,
      Map<String, byte[]> files) {
    this.form = form;
    this.observationSize = observationSize;
    this.actionCount = actionCount;
    this.boosters = boosters;
    this.files = files;
  }

  /** Reads the booster files of a bundle (XGBoost's JSON model format, 1.7 to 3.x). */
  static TreeQFunction load(TreeForm form, int observationSize, int actionCount, Map<String, byte[]> files) {
    Booster[] boosters = new Booster[form.boosters(actionCount)];
    Map<String, byte[]> portable = new LinkedHashMap<>();
    for (int b = 0; b < boosters.length; b++) {
      String name = form.fileName(b);
      byte[] bytes = TreeForm.portable(form.file(files, b));
      portable.put(name, bytes);
      try {
        boosters[b] = parse(JSON.readTree(bytes));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("booster file " + name + " is not a valid XGBoost model ("
            + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")", e);
      }
    }
    return new TreeQFunction(form, observationSize, actionCount, boosters, Collections.unmodifiableMap(portable));
  }

  private static Booster parse(JsonNode root) {
    JsonNode learner = root.get("learner");
    String objective = learner.path("objective").path("name").asText();
    if (!objective.equals("reg:squarederror")) {
      throw new IllegalArgumentException("objective " + objective + ": batchq's boosters are reg:squarederror");
    }
    // "[3.8E1]" (XGBoost 2 and later: one value per target) or "3.8E1" (1.7).
    String base = learner.get("learner_model_param").get("base_score").asText().replace("[", "").replace("]", "");
    JsonNode trees = learner.get("gradient_booster").get("model").get("trees");
    int nodes = 0;
    for (JsonNode t : trees) {
      nodes += t.get("left_children").size();
    }
    int[] roots = new int[trees.size()];
    int[] left = new int[nodes];
    int[] feature = new int[nodes];
    float[] value = new float[nodes];
    boolean[] defaultLeft = new boolean[nodes];
    int offset = 0;
    for (int t = 0; t < trees.size(); t++) {
      JsonNode tree = trees.get(t);
      for (JsonNode type : tree.path("split_type")) {
        if (type.asInt() != 0) {
          throw new IllegalArgumentException("categorical splits are not produced by batchq");
        }
      }
      JsonNode l = tree.get("left_children");
      JsonNode r = tree.get("right_children");
      JsonNode f = tree.get("split_indices");
      JsonNode v = tree.get("split_conditions"); // a leaf's value sits in its split condition
      JsonNode dl = tree.get("default_left");
      roots[t] = offset;
      for (int i = 0; i < l.size(); i++) {
        boolean leaf = l.get(i).asInt() == -1;
        if (!leaf && r.get(i).asInt() != l.get(i).asInt() + 1) {
          throw new IllegalArgumentException("tree " + t + ", node " + i + ": the right child does not follow the left");
        }
        left[offset + i] = leaf ? -1 : offset + l.get(i).asInt();
        feature[offset + i] = f.get(i).asInt();
        value[offset + i] = float32(v.get(i));
        defaultLeft[offset + i] = dl.get(i).asInt() != 0;
      }
      offset += l.size();
    }
    return new Booster(Float.parseFloat(base), roots, left, feature, value, defaultLeft);
  }

  /** The float32 nearest to the number as written, which is how XGBoost reads its own JSON. */
  private static float float32(JsonNode number) {
    return number.isBigDecimal() ? Float.parseFloat(number.decimalValue().toString()) : number.floatValue();
  }

  @Override
  public int actionCount() {
    return actionCount;
  }

  /** Rows per parallel task: below it, one thread is faster than handing work over. */
  private static final int BLOCK = 32;

  @Override
  public float[] predict(float[] obs, int rows) {
    float[] out = new float[rows * actionCount];
    int blocks = (rows + BLOCK - 1) / BLOCK;
    // Each row's values depend on that row alone, so splitting rows across threads changes no bit of the output.
    IntStream range = IntStream.range(0, blocks);
    (blocks > 1 ? range.parallel() : range).forEach(b -> predict(obs, b * BLOCK, Math.min(rows, (b + 1) * BLOCK), out));
    return out;
  }

  private void predict(float[] obs, int from, int to, float[] out) {
    int d = observationSize;
    for (int i = from; i < to; i++) {
      for (int a = 0; a < actionCount; a++) {
        out[i * actionCount + a] = form == TreeForm.MULTIPLE
            ? boosters[a].predict(obs, i * d, d, -1)
            : boosters[0].predict(obs, i * d, d, a);
      }
    }
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
