package org.batchq.learner.xgboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.batchq.bench.RuntimeFixtures;
import org.batchq.model.ModelBundle;
import org.batchq.runtime.Expected;
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
    float[] obs = Expected.read(RuntimeFixtures.EXPECTED, "observations", 4);
    try (QFunction xgboost = BoosterQFunction.load(form, 4, 2, files)) {
      assertArrayEquals(Expected.bits(Expected.read(RuntimeFixtures.EXPECTED, kind, 2)),
          Expected.bits(xgboost.predict(obs, obs.length / 4)), kind);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"single", "multiple", "averaged", "warm", "ensemble", "started", "neural", "bc"})
  void theCoreStillComputesEveryExpectation(String kind) throws Exception {
    float[] obs = Expected.read(RuntimeFixtures.EXPECTED, "observations", 4);
    try (ModelBundle.Loaded m = ModelBundle.load(RuntimeFixtures.RECORDED.resolve(kind))) {
      assertArrayEquals(Expected.bits(Expected.read(RuntimeFixtures.EXPECTED, kind, 2)),
          Expected.bits(m.q().predict(obs, obs.length / 4)), kind);
    }
  }
}
