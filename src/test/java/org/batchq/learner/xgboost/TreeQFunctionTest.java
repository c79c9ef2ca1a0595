package org.batchq.learner.xgboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.batchq.policy.RandomPolicy;
import org.batchq.rollout.Rollout;
import org.batchq.runtime.Expected;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;
import org.batchq.runtime.TreeQFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plain-Java walk of XGBoost's trees equals XGBoost4J's own prediction bit for bit, for every kind of tree model
 * batchq writes (the recorded bundles of src/test/resources/recorded), on 100,000+ observations: random ones, states
 * CartPole visits, values exactly at every split threshold and one float either side, and missing values (NaN).
 */
class TreeQFunctionTest {
  static final Path RECORDED = Path.of("src/test/resources/recorded");
  static final int D = 4;
  static final int ACTIONS = 2;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"single", "multiple", "averaged", "warm", "ensemble", "started"})
  void javaTreesGiveXgboostsPredictionsBitForBit(String kind) throws Exception {
    Path bundle = RECORDED.resolve(kind);
    TreeForm form = new ObjectMapper().readTree(bundle.resolve("manifest.json").toFile()).get("algorithm").asText()
        .equals("multiple") ? TreeForm.MULTIPLE : TreeForm.SINGLE;
    Map<String, byte[]> files = new HashMap<>();
    for (int b = 0; b < form.boosters(ACTIONS); b++) {
      files.put(form.fileName(b), Files.readAllBytes(bundle.resolve(form.fileName(b))));
    }
    float[] obs = observations(files, form);
    int rows = obs.length / D;
    assertTrue(rows >= 100_000, rows + " observations");
    try (QFunction xgboost = BoosterQFunction.load(form, D, ACTIONS, files);
        QFunction java = TreeQFunction.load(form, D, ACTIONS, files)) {
      assertArrayEquals(Expected.bits(xgboost.predict(obs, rows)), Expected.bits(java.predict(obs, rows)), kind);
    }
  }

  /**
   * {@code valuesOf} (one action per row, which XGBoost4J answers with one booster pass instead of one per action)
   * gives {@code predict}'s floats at each row's action, in both forms, natively and in Java.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"single", "multiple"})
  void theValuesOfEachRowsOwnActionArePredictsBitForBit(String kind) throws Exception {
    Path bundle = RECORDED.resolve(kind);
    TreeForm form = kind.equals("multiple") ? TreeForm.MULTIPLE : TreeForm.SINGLE;
    Map<String, byte[]> files = new HashMap<>();
    for (int b = 0; b < form.boosters(ACTIONS); b++) {
      files.put(form.fileName(b), Files.readAllBytes(bundle.resolve(form.fileName(b))));
    }
    float[] obs = observations(files, form);
    int rows = obs.length / D;
    SplittableRandom rng = new SplittableRandom(3);
    int[] actions = new int[rows];
    for (int i = 0; i < rows; i++) {
      actions[i] = rng.nextInt(ACTIONS);
    }
    try (QFunction xgboost = BoosterQFunction.load(form, D, ACTIONS, files);
        QFunction java = TreeQFunction.load(form, D, ACTIONS, files)) {
      float[] all = xgboost.predict(obs, rows);
      float[] want = new float[rows];
      for (int i = 0; i < rows; i++) {
        want[i] = all[i * ACTIONS + actions[i]];
      }
      assertArrayEquals(Expected.bits(want), Expected.bits(xgboost.valuesOf(obs, rows, actions)), kind + ", XGBoost4J");
      assertArrayEquals(Expected.bits(want), Expected.bits(java.valuesOf(obs, rows, actions)), kind + ", Java");
    }
  }

  /**
   * batchq's logs have no missing values, so the recorded boosters send every missing value right; boosters trained
   * here on observations with missing values learn both default directions, and the walk must take each node's own.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(TreeForm.class)
  void missingValuesTakeEachNodesLearnedDefaultDirection(TreeForm form) throws Exception {
    SplittableRandom rng = new SplittableRandom(7);
    int rows = 4_000;
    int width = form.width(D, ACTIONS);
    Map<String, byte[]> files = new HashMap<>();
    int[] defaultLeft = new int[2];
    for (int b = 0; b < form.boosters(ACTIONS); b++) {
      float[] x = new float[rows * width];
      float[] y = new float[rows];
      for (int i = 0; i < rows; i++) {
        int action = rng.nextInt(ACTIONS);
        float value = 0;
        for (int f = 0; f < D; f++) {
          float v = u(rng, 1f);
          value += (f + 1) * v;
          // Missing more often where the value is high, so that going left is sometimes the better default.
          x[i * width + f] = rng.nextDouble() < (v > 0 ? 0.4 : 0.1) ? Float.NaN : v;
        }
        if (form == TreeForm.SINGLE) {
          x[i * width + D + action] = 1f;
          value += 3 * action;
        }
        y[i] = value + b;
      }
      DMatrix matrix = new DMatrix(x, rows, width, Float.NaN);
      matrix.setLabel(y);
      Booster booster = XGBoost.train(matrix, Map.of("max_depth", 6, "eta", 0.3, "tree_method", "hist",
          "objective", "reg:squarederror", "seed", 1, "nthread", 1), 30, Map.of(), null, null);
      byte[] json = booster.toByteArray("json");
      booster.dispose();
      matrix.dispose();
      files.put(form.fileName(b), json);
      for (JsonNode tree : new ObjectMapper().readTree(json).get("learner").get("gradient_booster").get("model")
          .get("trees")) {
        for (int n = 0; n < tree.get("left_children").size(); n++) {
          if (tree.get("left_children").get(n).asInt() != -1) {
            defaultLeft[tree.get("default_left").get(n).asInt()]++;
          }
        }
      }
    }
    assertTrue(defaultLeft[0] > 0 && defaultLeft[1] > 0, "both default directions learned: " + defaultLeft[0]
        + " right, " + defaultLeft[1] + " left");
    float[] obs = observations(files, form);
    int n = obs.length / D;
    try (QFunction xgboost = BoosterQFunction.load(form, D, ACTIONS, files);
        QFunction java = TreeQFunction.load(form, D, ACTIONS, files)) {
      assertArrayEquals(Expected.bits(xgboost.predict(obs, n)), Expected.bits(java.predict(obs, n)), form.name());
    }
  }

  static float[] observations(Map<String, byte[]> files, TreeForm form) throws Exception {
    List<float[]> rows = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(42);
    for (int i = 0; i < 40_000; i++) { // random, some far outside anything seen in training
      float scale = i % 10 == 0 ? 1e6f : 3f;
      rows.add(new float[] {u(rng, scale), u(rng, scale), u(rng, scale), u(rng, scale)});
    }
    List<float[]> visited = new ArrayList<>(); // states the simulator visits under the random policy
    Rollout.run(new Rollout.Plan("CartPole-v1", 1500, 16, 3, 0, 0), new RandomPolicy(ACTIONS), e -> {
      for (int t = 0; t < e.length() && visited.size() < 30_000; t++) {
        float[] s = new float[D];
        System.arraycopy(e.obs(), t * D, s, 0, D);
        visited.add(s);
      }
    });
    rows.addAll(visited);
    // Exactly at each split threshold of an observation feature, and the floats just below and above it.
    ObjectMapper json = new ObjectMapper();
    for (byte[] file : files.values()) {
      for (JsonNode tree : json.readTree(file).get("learner").get("gradient_booster").get("model").get("trees")) {
        JsonNode left = tree.get("left_children");
        for (int n = 0; n < left.size() && rows.size() < 100_000; n++) {
          int f = tree.get("split_indices").get(n).asInt();
          if (left.get(n).asInt() == -1 || f >= D) {
            continue;
          }
          float t = Float.parseFloat(tree.get("split_conditions").get(n).asText());
          for (float v : new float[] {t, Math.nextDown(t), Math.nextUp(t)}) {
            float[] s = rows.get(rng.nextInt(40_000)).clone();
            s[f] = v;
            rows.add(s);
          }
        }
      }
    }
    while (rows.size() < 110_000) { // missing values: each feature NaN with probability 1/3
      float[] s = rows.get(rng.nextInt(rows.size())).clone();
      for (int k = 0; k < D; k++) {
        if (rng.nextInt(3) == 0) {
          s[k] = Float.NaN;
        }
      }
      rows.add(s);
    }
    float[] out = new float[rows.size() * D];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, out, i * D, D);
    }
    return out;
  }

  static float u(SplittableRandom rng, float scale) {
    return (float) ((rng.nextDouble() * 2 - 1) * scale);
  }
}
