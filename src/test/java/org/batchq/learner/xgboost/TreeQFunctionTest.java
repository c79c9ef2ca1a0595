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
import org.batchq.policy.RandomPolicy;
import org.batchq.rollout.Rollout;
import org.batchq.runtime.Expected;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;
import org.batchq.runtime.TreeQFunction;
import org.junit.jupiter.params.ParameterizedTest;
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
