package org.batchq.fqi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.batchq.learner.Regressor;
import org.batchq.learner.neural.NeuralSettings;
import org.batchq.runtime.MlpQFunction;
import org.batchq.runtime.QFunction;
import org.junit.jupiter.api.Test;

class NeuralRegressorTest {
  static final double TOLERANCE = 0.05;

  static NeuralSettings settings(boolean restart) {
    return new NeuralSettings(List.of(32, 32), 300, 64, 0.005, restart, 1);
  }

  @Test
  void reachesTheAnalyticOptimalQOfTheChain() {
    ChainMdp chain = new ChainMdp(6, 0.9);
    try (Regressor regressor = settings(false).create(1, 2);
        QFunction q = Fqi.fit(chain.data(10), null, new Fqi.Schedule(15, chain.gamma, false, 1), regressor, null,
            it -> {}).q()) {
      float[] values = q.predict(new float[] {0, 1, 2, 3, 4}, 5);
      for (int s = 0; s < 5; s++) {
        assertEquals(chain.optimalQ(s, 0), values[s * 2], TOLERANCE, "Q(" + s + ", left)");
        assertEquals(chain.optimalQ(s, 1), values[s * 2 + 1], TOLERANCE, "Q(" + s + ", right)");
      }
    }
  }

  @Test
  void theLossTrainsOnlyTheHeadOfTheActionTaken() {
    // Every row took action 0 with target 5. Head 0 learns 5; head 1 gets no gradient and keeps its initial output,
    // far from 5. If every head received the target, head 1 would also be near 5.
    int rows = 200;
    float[] obs = new float[rows];
    for (int i = 0; i < rows; i++) {
      obs[i] = i / (float) rows;
    }
    float[] targets = new float[rows];
    java.util.Arrays.fill(targets, 5f);
    try (Regressor r = settings(false).create(1, 2)) {
      Regressor.StateSet s = r.states(obs, rows);
      QFunction q = r.fit(s, new int[rows], targets, null);
      float[] values = q.predict(obs, rows);
      for (int i = 0; i < rows; i += 20) {
        assertEquals(5, values[i * 2], 0.2, "head 0 at row " + i);
        assertTrue(Math.abs(values[i * 2 + 1] - 5) > 2, "head 1 untouched at row " + i + ": " + values[i * 2 + 1]);
      }
    }
  }

  @Test
  void theSameSeedGivesTheSameWeights() {
    ChainMdp chain = new ChainMdp(5, 0.9);
    byte[][] files = new byte[2][];
    for (int run = 0; run < 2; run++) {
      try (Regressor regressor = settings(true).create(1, 2);
          QFunction q = Fqi.fit(chain.data(5), null, new Fqi.Schedule(3, chain.gamma, false, 1), regressor, null,
              it -> {}).q()) {
        files[run] = q.export().get(MlpQFunction.FILE);
      }
    }
    assertArrayEquals(files[0], files[1]);
  }

  @Test
  void savedWeightsParseIndependentlyAndReproduceTheQValues() throws Exception {
    ChainMdp chain = new ChainMdp(5, 0.9);
    try (Regressor regressor = settings(false).create(1, 2);
        QFunction q = Fqi.fit(chain.data(5), null, new Fqi.Schedule(3, chain.gamma, false, 1), regressor, null,
            it -> {}).q()) {
      byte[] file = q.export().get(MlpQFunction.FILE);
      QFunction loaded = MlpQFunction.load(java.util.Map.of(MlpQFunction.FILE, file));
      float[] states = {0, 1, 2, 3, 0.5f};
      assertArrayEquals(q.predict(states, 5), loaded.predict(states, 5), "save, load, predict: identical");
      // An independent reader: header length, JSON header, raw little-endian floats; then a forward pass by hand.
      java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      int headerLength = (int) in.getLong();
      var header = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new String(file, 8, headerLength,
          java.nio.charset.StandardCharsets.UTF_8));
      java.util.function.Function<String, float[]> tensor = name -> {
        var t = header.get(name);
        int begin = t.get("data_offsets").get(0).asInt();
        int end = t.get("data_offsets").get(1).asInt();
        float[] v = new float[(end - begin) / 4];
        java.nio.ByteBuffer.wrap(file, 8 + headerLength + begin, end - begin).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .asFloatBuffer().get(v);
        return v;
      };
      float[] expected = q.predict(states, 5);
      for (int r = 0; r < 5; r++) {
        float[] h = {(states[r] - tensor.apply("input.mean")[0]) / tensor.apply("input.std")[0]};
        for (String layer : List.of("trunk.0", "trunk.1", "head")) {
          float[] w = tensor.apply(layer + ".weight");
          float[] b = tensor.apply(layer + ".bias");
          float[] o = new float[b.length];
          for (int i = 0; i < b.length; i++) {
            double sum = b[i];
            for (int j = 0; j < h.length; j++) {
              sum += w[i * h.length + j] * h[j];
            }
            o[i] = layer.equals("head") ? (float) sum : (float) Math.max(sum, 0);
          }
          h = o;
        }
        assertEquals(expected[r * 2], h[0], 1e-4);
        assertEquals(expected[r * 2 + 1], h[1], 1e-4);
      }
    }
  }
}
