package org.batchq.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trees turned into bytecode give the same bits as the same trees walked from their arrays, on 100,000
 * observations: random at several scales, exactly at the trees' own split thresholds, NaN, infinities; and a tree
 * too deep to compile falls back to the arrays.
 */
class TreeCompilerTest {
  static final int D = BundleTest.D;
  static final int ROWS = 100_000;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"single", "multiple", "averaged", "warm", "ensemble", "started"})
  void compiledTreesGiveTheArrayWalksBitsForEveryKindOfTreeModel(String kind) throws Exception {
    Bundle bundle = Bundle.load(BundleTest.RECORDED.resolve(kind));
    TreeQFunction arrays = (TreeQFunction) bundle.q();
    assertFalse(arrays.compiled(), "a bundle walks its arrays unless asked");
    TreeQFunction compiled = (TreeQFunction) bundle.withCompiledTrees().q();
    assertTrue(compiled.compiled(), kind + ": batchq's trees (depth 6) compile");
    Map<String, byte[]> files = compiled.export();

    float[] obs = observations(files.values(), new Random(kind.hashCode()));
    assertArrayEquals(Expected.bits(arrays.predict(obs, ROWS)), Expected.bits(compiled.predict(obs, ROWS)), kind);
  }

  /** Rows drawn from several scales, with features set to the trees' thresholds, NaN and infinities among them. */
  static float[] observations(Iterable<byte[]> boosters, Random rng) {
    List<float[]> thresholds = new ArrayList<>(); // {feature, threshold} of every observation split
    for (byte[] json : boosters) {
      JsonTrees t = JsonTrees.parse(json, "reg:squarederror");
      for (int n = 0; n < t.left().length; n++) {
        if (t.left()[n] >= 0 && t.feature()[n] < D) {
          thresholds.add(new float[] {t.feature()[n], t.value()[n]});
        }
      }
    }
    float[] obs = new float[ROWS * D];
    float[] scales = {0.01f, 0.1f, 1f, 10f};
    for (int i = 0; i < ROWS; i++) {
      float scale = scales[i % scales.length];
      for (int j = 0; j < D; j++) {
        obs[i * D + j] = (float) rng.nextGaussian() * scale;
      }
      for (int k = rng.nextInt(3); k > 0; k--) { // on a threshold: which way "not below" goes is tested
        float[] split = thresholds.get(rng.nextInt(thresholds.size()));
        obs[i * D + (int) split[0]] = split[1];
      }
      if (rng.nextInt(8) == 0) {
        obs[i * D + rng.nextInt(D)] = Float.NaN;
      }
      if (rng.nextInt(50) == 0) {
        obs[i * D + rng.nextInt(D)] = rng.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
      }
    }
    return obs;
  }

  /**
   * A complete tree of depth 11 (2,047 splits) is more code than the JIT compiles in one method, so the
   * Q-function walks the arrays instead, and still gives each row its leaf, found here by an independent walk.
   */
  @Test
  void aTreeTooDeepToCompileIsWalkedFromItsArrays() {
    int depth = 11;
    int splits = (1 << depth) - 1;
    int nodes = 2 * splits + 1;
    float[] threshold = new float[splits];
    Random rng = new Random(7);
    StringBuilder left = new StringBuilder();
    StringBuilder right = new StringBuilder();
    StringBuilder feature = new StringBuilder();
    StringBuilder condition = new StringBuilder();
    StringBuilder zeros = new StringBuilder();
    // Heap order would put a node's children at 2i+1 and 2i+2, which XGBoost's layout (right = left + 1) allows.
    for (int n = 0; n < nodes; n++) {
      String sep = n == 0 ? "" : ",";
      boolean leaf = n >= splits;
      if (!leaf) {
        threshold[n] = (float) rng.nextGaussian();
      }
      left.append(sep).append(leaf ? -1 : 2 * n + 1);
      right.append(sep).append(leaf ? -1 : 2 * n + 2);
      feature.append(sep).append(leaf ? 0 : n % D);
      condition.append(sep).append(leaf ? (float) (n - splits) : threshold[n]);
      zeros.append(sep).append(0);
    }
    String tree = "{\"left_children\":[" + left + "],\"right_children\":[" + right + "],\"split_indices\":["
        + feature + "],\"split_conditions\":[" + condition + "],\"default_left\":[" + zeros + "],\"split_type\":["
        + zeros + "]}";
    String booster = "{\"learner\":{\"objective\":{\"name\":\"reg:squarederror\"},\"learner_model_param\":"
        + "{\"base_score\":\"5E-1\"},\"gradient_booster\":{\"model\":{\"trees\":[" + tree + "],\"tree_info\":[0]}}}}";
    byte[] bytes = booster.getBytes(StandardCharsets.UTF_8);
    TreeQFunction q = TreeQFunction.load(TreeForm.MULTIPLE, D, 2,
        Map.of("q-action-0.json", bytes, "q-action-1.json", bytes)).withCompiledTrees();
    assertFalse(q.compiled(), "2,047 splits in one method: not compiled");

    float[] obs = new float[1_000 * D];
    for (int i = 0; i < obs.length; i++) {
      obs[i] = (float) rng.nextGaussian();
    }
    float[] values = q.predict(obs, 1_000);
    for (int i = 0; i < 1_000; i++) {
      int n = 0;
      while (n < splits) {
        n = obs[i * D + n % D] < threshold[n] ? 2 * n + 1 : 2 * n + 2;
      }
      assertEquals(0.5f + (n - splits), values[i * 2], "row " + i);
      assertEquals(values[i * 2], values[i * 2 + 1]);
    }
  }
}
