package org.batchq.learner.xgboost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;

/** Averages of XGBoost Q-functions (ensembles, averaged iterates) as one ordinary XGBoost model per booster. */
final class BoosterMean {
  /** XGBoost's own JSON, read and written as a tree (not batchq's snake_case mapper). */
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BoosterMean() {}

  /**
   * The mean of several models of one form as one model: per booster, every member's trees side by side with their
   * leaf values divided by the member count, and the mean of their base scores. The result is an ordinary XGBoost
   * model (one file per booster, as for a single fit) whose prediction is the members' mean, up to float rounding.
   */
  static QFunction of(TreeForm form, int observationSize, int actionCount, List<QFunction> members) {
    int n = form.boosters(actionCount);
    Map<String, byte[]> files = new LinkedHashMap<>();
    try {
      for (int b = 0; b < n; b++) {
        List<JsonNode> models = new ArrayList<>();
        for (QFunction m : members) {
          models.add(MAPPER.readTree(m.export().get(form.fileName(b))));
        }
        files.put(form.fileName(b), MAPPER.writeValueAsBytes(meanOfModels(models)));
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot combine XGBoost models: " + e.getMessage(), e);
    }
    return BoosterQFunction.load(form, observationSize, actionCount, files);
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
    ((ObjectNode) learner.get("learner_model_param")).put("base_score", Float.toString((float) baseScore));
    return merged;
  }
}
