package org.batchq.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.batchq.model.ModelBundle;
import org.batchq.policy.RandomPolicy;
import org.batchq.rollout.Rollout;

/**
 * Writes the expected Q-values that runtime/'s test checks the runtime artifact against: for every recorded bundle
 * (src/test/resources/recorded, plus a behaviour-cloning bundle made here), its values on a fixed set of
 * observations, as the core computes them. {@code RuntimeFixturesTest} proves that the tree kinds' values are
 * XGBoost4J's own bit for bit and that the core still computes all of them. Run from the repository's root:
 * {@code java -cp target/batchq-cli.jar:target/test-classes org.batchq.bench.RuntimeFixtures}.
 */
public final class RuntimeFixtures {
  public static final Path RECORDED = Path.of("src", "test", "resources", "recorded");
  public static final Path EXPECTED = RECORDED.resolve("expected");
  public static final List<String> KINDS = List.of("single", "multiple", "averaged", "warm", "ensemble", "started",
      "neural", "bc");
  static final int D = 4;

  private RuntimeFixtures() {}

  public static void main(String[] args) throws Exception {
    Files.createDirectories(EXPECTED);
    Path bc = RECORDED.resolve("bc");
    if (!Files.exists(bc)) {
      Path data = Files.createTempDirectory("fixtures").resolve("d.parquet");
      Experiment.cli("collect", "--episodes", "120", "--seed", "11", "--out", data.toString());
      Experiment.cli("fit", data.toString(), "--algorithm", "bc", "--trees", "10", "--seed", "5", "--out", bc.toString());
    }
    float[] obs = observations();
    Files.writeString(EXPECTED.resolve("observations.csv"), Interop.csv(obs, obs.length / D, D));
    for (String kind : KINDS) {
      try (ModelBundle.Loaded m = ModelBundle.load(RECORDED.resolve(kind))) {
        int actions = m.q().actionCount();
        Files.writeString(EXPECTED.resolve(kind + ".csv"), Interop.csv(m.q().predict(obs, obs.length / D),
            obs.length / D, actions));
      }
    }
    System.out.println("wrote " + obs.length / D + " observations and " + KINDS.size() + " kinds to " + EXPECTED);
  }

  /** 2,000 states CartPole visits under the random policy, 400 far outside them, and 100 with missing values. */
  static float[] observations() {
    List<float[]> rows = new ArrayList<>();
    Rollout.run(new Rollout.Plan("CartPole-v1", 200, 16, 7, 0, 0), new RandomPolicy(2), e -> {
      for (int t = 0; t < e.length() && rows.size() < 2_000; t++) {
        float[] s = new float[D];
        System.arraycopy(e.obs(), t * D, s, 0, D);
        rows.add(s);
      }
    });
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < 400; i++) {
      float[] s = new float[D];
      for (int k = 0; k < D; k++) {
        s[k] = (float) ((rng.nextDouble() * 2 - 1) * (i % 2 == 0 ? 10 : 1e5));
      }
      rows.add(s);
    }
    for (int i = 0; i < 100; i++) {
      float[] s = rows.get(rng.nextInt(2_000)).clone();
      s[i % D] = Float.NaN;
      rows.add(s);
    }
    float[] out = new float[rows.size() * D];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, out, i * D, D);
    }
    return out;
  }
}
