package org.batchq.learner.xgboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.batchq.bench.RuntimeFixtures;
import org.batchq.model.ModelBundle;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The expected values runtime/'s test holds the runtime artifact to are not made up: for the tree kinds they are
 * XGBoost4J's own predictions bit for bit, and for every kind they are what the core computes from the bundle today.
 */
class RuntimeFixturesTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"single", "multiple", "averaged", "warm", "ensemble", "started"})
  void treeExpectationsAreXgboostsOwnPredictions(String kind) throws Exception {
    Path bundle = RuntimeFixtures.RECORDED.resolve(kind);
    TreeForm form = TreeForm.valueOf(new ObjectMapper().readTree(bundle.resolve("manifest.json").toFile())
        .get("algorithm").asText().toUpperCase());
    Map<String, byte[]> files = new HashMap<>();
    for (int b = 0; b < form.boosters(2); b++) {
      files.put(form.fileName(b), Files.readAllBytes(bundle.resolve(form.fileName(b))));
    }
    float[] obs = read("observations", 4);
    try (QFunction xgboost = BoosterQFunction.load(form, 4, 2, files)) {
      assertArrayEquals(bits(read(kind, 2)), bits(xgboost.predict(obs, obs.length / 4)), kind);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"single", "multiple", "averaged", "warm", "ensemble", "started", "neural", "bc"})
  void theCoreStillComputesEveryExpectation(String kind) throws Exception {
    float[] obs = read("observations", 4);
    try (ModelBundle.Loaded m = ModelBundle.load(RuntimeFixtures.RECORDED.resolve(kind))) {
      assertArrayEquals(bits(read(kind, 2)), bits(m.q().predict(obs, obs.length / 4)), kind);
    }
  }

  static float[] read(String name, int cols) throws Exception {
    List<String> lines = Files.readAllLines(RuntimeFixtures.EXPECTED.resolve(name + ".csv"));
    float[] out = new float[lines.size() * cols];
    for (int i = 0; i < lines.size(); i++) {
      String[] v = lines.get(i).split(",");
      for (int j = 0; j < cols; j++) {
        out[i * cols + j] = Float.parseFloat(v[j]);
      }
    }
    return out;
  }

  static int[] bits(float[] q) {
    int[] out = new int[q.length];
    for (int i = 0; i < q.length; i++) {
      out[i] = Float.floatToRawIntBits(q[i]);
    }
    return out;
  }
}
