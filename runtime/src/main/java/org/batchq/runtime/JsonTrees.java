package org.batchq.runtime;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;

/**
 * One XGBoost booster read from its JSON model file into flat primitive arrays, and walked in plain Java exactly as
 * XGBoost's CPU predictor walks it: each output group's trees in file order, their leaf values added in float32 to
 * the group's base score; a feature goes left when it is below the split condition, and a missing value (NaN) goes
 * the node's default way. Numbers are parsed from the JSON text straight to float32, as XGBoost parses them.
 *
 * <p>Per node: its left child as an absolute index (-1 at a leaf; XGBoost places the right child just after the
 * left, which the loader checks), its feature, its split condition or leaf value, and whether a missing value goes
 * left; so a walk touches a few cache lines per tree.
 *
 * @param base each output group's base score (one group for a regression, one per class for multi:softprob)
 * @param group each tree's output group
 */
public record JsonTrees(float[] base, int[] roots, int[] group, int[] left, int[] feature, float[] value,
    boolean[] defaultLeft) {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /** Output group {@code g} for row {@code x} of width {@code d}; in the single form, action {@code a} one-hot. */
  public float predict(float[] x, int at, int d, int oneHotAction, int g) {
    float sum = base[g];
    for (int t = 0; t < roots.length; t++) {
      if (group[t] == g) {
        sum += value[leaf(roots[t], x, at, d, oneHotAction)];
      }
    }
    return sum;
  }

  /**
   * {@link #predict} of output group {@code g} for rows {@code from} to {@code to} of {@code x} (observations only),
   * row i's value into {@code out[outAt + i * outStride]}. The loop over rows is here, beside the walk, so that the
   * JIT compiles the two together whatever else the caller does.
   */
  public void predictRows(float[] x, int from, int to, int d, int g, float[] out, int outAt, int outStride) {
    for (int i = from; i < to; i++) {
      out[outAt + i * outStride] = predict(x, i * d, d, -1, g);
    }
  }

  /** {@link #predictActions} for rows {@code from} to {@code to}, row i's values from {@code out[i * actions]}. */
  public void predictActionsRows(float[] x, int from, int to, int d, int actions, int g, float[] out) {
    for (int i = from; i < to; i++) {
      predictActions(x, i * d, d, actions, g, out, i * actions);
    }
  }

  /**
   * Group {@code g} for every one of {@code actions} one-hot actions of row {@code x} (the single form), into
   * {@code out} from {@code outAt}: each value is {@link #predict}'s, bit for bit, since each action's leaves are
   * added in the same order. A tree is walked once while its path reads only the observation, and once per action
   * only below the first node that reads the action: about half the node visits of one walk per action on the
   * models batchq fits (docs/BENCHMARKS.md).
   */
  public void predictActions(float[] x, int at, int d, int actions, int g, float[] out, int outAt) {
    Arrays.fill(out, outAt, outAt + actions, base[g]);
    for (int t = 0; t < roots.length; t++) {
      if (group[t] != g) {
        continue;
      }
      int n = roots[t];
      for (int l = left[n]; l >= 0 && feature[n] < d; l = left[n]) {
        n = next(n, l, x[at + feature[n]]);
      }
      if (left[n] < 0) {
        for (int a = 0; a < actions; a++) {
          out[outAt + a] += value[n];
        }
      } else {
        for (int a = 0; a < actions; a++) {
          out[outAt + a] += value[leaf(n, x, at, d, a)];
        }
      }
    }
  }

  /** The leaf the subtree at node {@code n} sends the row to. */
  private int leaf(int n, float[] x, int at, int d, int oneHotAction) {
    for (int l = left[n]; l >= 0; l = left[n]) {
      int f = feature[n];
      n = next(n, l, f < d ? x[at + f] : (f - d == oneHotAction ? 1f : 0f));
    }
    return n;
  }

  /** The child of node {@code n} (left child {@code l}) that value {@code v} goes to. */
  int next(int n, int l, float v) {
    return v < value[n] ? l : v >= value[n] ? l + 1 : defaultLeft[n] ? l : l + 1; // NaN: neither comparison
  }

  public int groups() {
    return base.length;
  }

  /** Parses a booster written with {@code objective}; any other objective is refused. */
  public static JsonTrees parse(byte[] json, String objective) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    JsonNode learner = root.get("learner");
    String written = learner.path("objective").path("name").asText();
    if (!written.equals(objective)) {
      throw new IllegalArgumentException("objective " + written + ": expected " + objective);
    }
    JsonNode model = learner.get("gradient_booster").get("model");
    JsonNode trees = model.get("trees");
    int nodes = 0;
    for (JsonNode t : trees) {
      nodes += t.get("left_children").size();
    }
    int[] roots = new int[trees.size()];
    int[] group = new int[trees.size()];
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
      group[t] = model.path("tree_info").path(t).asInt(0);
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
    return new JsonTrees(baseScores(learner.get("learner_model_param")), roots, group, left, feature, value,
        defaultLeft);
  }

  /**
   * "[3.8E1]" (XGBoost 2 and later: one value per output), "3.8E1" (1.7, and batchq's portable spelling); a
   * multi-class model has one output per class, which a single number gives to all.
   */
  private static float[] baseScores(JsonNode param) {
    int classes = Math.max(1, param.path("num_class").asInt(0));
    String[] parts = param.get("base_score").asText().replace("[", "").replace("]", "").split(",");
    float[] base = new float[classes];
    for (int c = 0; c < classes; c++) {
      base[c] = Float.parseFloat(parts[parts.length == 1 ? 0 : c].trim());
    }
    return base;
  }

  /** The float32 nearest to the number as written, which is how XGBoost reads its own JSON. */
  private static float float32(JsonNode number) {
    return number.isBigDecimal() ? Float.parseFloat(number.decimalValue().toString()) : number.floatValue();
  }
}
