package org.batchq.ope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import org.batchq.env.Rng;
import org.batchq.fqi.Backup;
import org.batchq.fqi.ChainMdp;
import org.batchq.fqi.Fqi;
import org.batchq.fqi.FqiData;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.ope.OffPolicyEvaluation.Estimate;
import org.batchq.ope.OffPolicyEvaluation.Estimator;
import org.batchq.policy.Policy;
import org.batchq.runtime.TreeForm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The estimators against values computed exactly: FQE on a chain whose Q^pi is solved here, importance sampling
 * on a three-step MDP whose value is enumerated, and the bootstrap's and the trust flag's contracts.
 */
class OffPolicyEvaluationTest {
  /** A stationary policy over one-dimensional observations: pi(1 | s) given per integer state. */
  record TablePolicy(double[] right) implements Policy {
    @Override
    public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
      for (int i = 0; i < rows; i++) {
        float p1 = at(obs[i]);
        actions[i] = rngs[i].nextDouble() < p1 ? 1 : 0;
        probabilities[i] = actions[i] == 1 ? p1 : 1 - p1;
      }
    }

    @Override
    public void distribution(float[] obs, int rows, float[] out) {
      for (int i = 0; i < rows; i++) {
        float p1 = at(obs[i]);
        out[2 * i] = 1 - p1;
        out[2 * i + 1] = p1;
      }
    }

    /**
     * pi(1 | s) at the nearest state of the table: a model-based rollout's states are sums of predicted moves,
     * integers only up to float rounding, and an imprecise model may leave the table.
     */
    private float at(float s) {
      return (float) right[Math.max(0, Math.min(right.length - 1, Math.round(s)))];
    }

    @Override
    public String describe() {
      return "table";
    }
  }

  // ---- FQE on a chain: states 0..N-1, action 1 right, 0 left (0 stays), reward 1 on reaching N-1 (terminal).

  static final int CHAIN = 6;
  static final double GAMMA = 0.9;
  /** Float32 trees refitted 176 times: each fit's rounding, over 1 / (1 - gamma), stays below this. */
  static final double TOLERANCE = 1e-3;

  /** Q^pi of the chain by iterating the Bellman expectation to machine precision. */
  static double[][] chainQ(double[] right) {
    double[] v = new double[CHAIN];
    double[][] q = new double[CHAIN][2];
    for (int sweep = 0; sweep < 2000; sweep++) {
      for (int s = 0; s < CHAIN - 1; s++) {
        for (int a = 0; a < 2; a++) {
          int s2 = a == 1 ? s + 1 : Math.max(s - 1, 0);
          q[s][a] = s2 == CHAIN - 1 ? 1 : GAMMA * v[s2];
        }
      }
      for (int s = 0; s < CHAIN - 1; s++) {
        v[s] = (1 - right[s]) * q[s][0] + right[s] * q[s][1];
      }
    }
    return q;
  }

  /** A greedy (always right) and an epsilon-greedy-like target (right with 0.7, left with 0.3 everywhere). */
  @ParameterizedTest
  @ValueSource(doubles = {1.0, 0.7})
  void fqeConvergesToTheExactValueOfTheTarget(double p) {
    double[] right = new double[CHAIN];
    java.util.Arrays.fill(right, p);
    double[][] exact = chainQ(right);
    int k = Fqe.iterationsFor(GAMMA);
    assertTrue(Math.pow(GAMMA, k) < 0.01 && Math.pow(GAMMA, k - 1) >= 0.01, "K is the fewest with gamma^K < 0.01");
    XgboostSettings trees = new XgboostSettings(TreeForm.MULTIPLE, 50, 4, 0.5, 0, 1, 1, 1, 256, 1, 0, false);
    TablePolicy target = new TablePolicy(right);
    // Iterate well past K so that what remains of Q_0 = 0 is far below the tolerance.
    try (Fqe.Fit fit = Fqe.fit(new ChainMdp(CHAIN, GAMMA).data(4), target, new Fqi.Schedule(4 * k, GAMMA, true, 1), trees, null,
        it -> {})) {
      for (int s = 0; s < CHAIN - 1; s++) {
        float[] q = fit.q().predict(new float[] {s}, 1);
        for (int a = 0; a < 2; a++) {
          assertEquals(exact[s][a], q[a], TOLERANCE, "Q^pi(" + s + ", " + a + ") for pi(right) = " + p);
        }
      }
      double v0 = (1 - p) * exact[0][0] + p * exact[0][1];
      assertEquals(v0, fit.estimate(), TOLERANCE, "the estimate is V^pi of the initial state");
    }
  }

  /**
   * The model-based estimate on the same chain, whose moves, rewards and end trees learn exactly: the greedy target's
   * rollout is the chain's own path, so its value is exact; the stochastic target's is a mean over 4,000 sampled
   * rollouts from state 0 (standard error about 0.005), so it is held to 0.02.
   */
  @ParameterizedTest
  @ValueSource(doubles = {1.0, 0.7})
  void theModelBasedEstimateRecoversTheExactValueWhereTheDynamicsAreLearnable(double p) {
    double[] right = new double[CHAIN];
    java.util.Arrays.fill(right, p);
    double[][] exact = chainQ(right);
    double v0 = (1 - p) * exact[0][0] + p * exact[0][1];
    int rollouts = p == 1 ? 1 : 4000;
    try (ModelBased.Model model = ModelBased.fit(new ChainMdp(CHAIN, GAMMA).data(4), CHAIN_MODEL_TREES)) {
      double v = ModelBased.value(model, new TablePolicy(right), new float[rollouts], rollouts, GAMMA,
          Fqe.iterationsFor(GAMMA), 7);
      assertEquals(v0, v, p == 1 ? TOLERANCE : 0.02, "V^pi(0) for pi(right) = " + p);
    }
  }

  static final XgboostSettings CHAIN_MODEL_TREES =
      new XgboostSettings(TreeForm.MULTIPLE, 50, 4, 0.5, 0, 1, 1, 1, 256, 1, 0, false);

  /** The rollouts are split across threads in parts; each draws from its initial state's own stream. */
  @Test
  void theModelBasedEstimateIsTheSameBitsOnAnyNumberOfThreads() {
    double[] right = new double[CHAIN];
    java.util.Arrays.fill(right, 0.7);
    int rollouts = 3000;
    try (ModelBased.Model model = ModelBased.fit(new ChainMdp(CHAIN, GAMMA).data(4), CHAIN_MODEL_TREES)) {
      double one = ModelBased.value(model, new TablePolicy(right), new float[rollouts], rollouts, GAMMA, 60, 7, 1);
      for (int threads : new int[] {2, 3}) {
        assertEquals(one, ModelBased.value(model, new TablePolicy(right), new float[rollouts], rollouts, GAMMA, 60, 7,
            threads), 0.0, "rolled out in " + threads + " parts");
      }
    }
  }

  // ---- Importance sampling on three steps: s0 uniform in {0, 1, 2}, s' = (s + a + 1) mod 3, terminal after 3 steps,
  // reward mean(s, a) plus noise.

  static final int HORIZON = 3;
  static final double[] BEHAVIOR_RIGHT = {0.3, 0.5, 0.7};
  static final double[] TARGET_RIGHT = {0.1, 0.2, 0.9};

  static double meanReward(int s, int a) {
    return 1 + s - 2 * a + 0.5 * s * a;
  }

  /** The target's exact value, enumerated over every path. */
  static double exactValue() {
    double total = 0;
    for (int s0 = 0; s0 < 3; s0++) {
      total += valueFrom(s0, 0) / 3;
    }
    return total;
  }

  private static double valueFrom(int s, int t) {
    if (t == HORIZON) {
      return 0;
    }
    double v = 0;
    for (int a = 0; a < 2; a++) {
      double p = a == 1 ? TARGET_RIGHT[s] : 1 - TARGET_RIGHT[s];
      v += p * (meanReward(s, a) + 0.95 * valueFrom((s + a + 1) % 3, t + 1));
    }
    return v;
  }

  /** A log of {@code episodes} behaviour episodes; {@code constantReward} replaces every reward when not NaN. */
  static LoggedEpisodes log(long seed, int episodes, double constantReward) {
    int n = episodes * HORIZON;
    float[] obs = new float[n];
    float[] next = new float[n];
    int[] actions = new int[n];
    float[] rewards = new float[n];
    boolean[] terminal = new boolean[n];
    float[] mu = new float[n];
    int[] starts = new int[episodes + 1];
    int[] initial = new int[episodes];
    Rng rng = Rng.derive(seed, 1);
    for (int e = 0, i = 0; e < episodes; e++) {
      starts[e] = i;
      initial[e] = i;
      int s = rng.nextInt(3);
      for (int t = 0; t < HORIZON; t++, i++) {
        float p1 = (float) BEHAVIOR_RIGHT[s];
        int a = rng.nextDouble() < p1 ? 1 : 0;
        obs[i] = s;
        actions[i] = a;
        mu[i] = a == 1 ? p1 : 1 - p1;
        rewards[i] = (float) (Double.isNaN(constantReward) ? meanReward(s, a) + rng.uniform(-1, 1) : constantReward);
        s = (s + a + 1) % 3;
        next[i] = s;
        terminal[i] = t == HORIZON - 1;
      }
    }
    starts[episodes] = n;
    return new LoggedEpisodes(new FqiData(n, 1, 2, obs, actions, rewards, next, terminal, initial, mu, Backup.MAX),
        starts, mu, false);
  }

  static float[] targetAt(FqiData d) {
    float[] pi = new float[d.rows() * 2];
    new TablePolicy(TARGET_RIGHT).distribution(d.obs(), d.rows(), pi);
    return pi;
  }

  /** A deliberately wrong model for DR: the correction terms must remove its bias. */
  static float[] wrongQ(FqiData d) {
    float[] q = new float[d.rows() * 2];
    for (int i = 0; i < d.rows(); i++) {
      q[2 * i] = 3;
      q[2 * i + 1] = -1 + d.obs()[i];
    }
    return q;
  }

  @Test
  void pdisAndDrAreUnbiased() {
    double truth = exactValue();
    int logs = 400;
    double[] pdis = new double[logs];
    double[] dr = new double[logs];
    for (int l = 0; l < logs; l++) {
      LoggedEpisodes log = log(l, 30, Double.NaN);
      ImportanceSampling.Values v = new ImportanceSampling(log, targetAt(log.data()), wrongQ(log.data()), 0.95)
          .estimate(null);
      pdis[l] = v.pdis();
      dr[l] = v.dr();
    }
    for (double[] x : List.of(pdis, dr)) {
      org.batchq.eval.Stats.Summary s = org.batchq.eval.Stats.summarize(x);
      assertTrue(Math.abs(s.mean() - truth) <= s.ci95(), "mean " + s.mean() + " +- " + s.ci95() + " vs " + truth);
    }
    // The test has the power to see a bias: the logged (behaviour) return is well outside that interval.
    double behaviour = 0;
    for (int l = 0; l < logs; l++) {
      LoggedEpisodes log = log(l, 30, Double.NaN);
      behaviour += java.util.Arrays.stream(ImportanceSampling.loggedReturns(log, 0.95)).average().orElseThrow() / logs;
    }
    assertTrue(Math.abs(behaviour - truth) > 10 * org.batchq.eval.Stats.summarize(pdis).ci95());
  }

  @Test
  void theWeightedFormsNormaliseTheirWeights() {
    LoggedEpisodes log = log(5, 40, 2.0);
    float[] zero = new float[log.data().rows() * 2];
    ImportanceSampling.Values v = new ImportanceSampling(log, targetAt(log.data()), zero, 0.95).estimate(null);
    double exact = 2 * (1 + 0.95 + 0.95 * 0.95); // a constant reward's value, whatever the weights
    assertEquals(exact, v.wpdis(), 1e-12);
    assertEquals(exact, v.wdr(), 1e-12, "WDR with Q = 0 is WPDIS");
    assertTrue(Math.abs(v.pdis() - exact) > 1e-3, "the unweighted form does not normalise");
  }

  @Test
  void theTargetBeingTheBehaviourGivesTheLoggedReturnExactlyAndFullTrust() {
    LoggedEpisodes log = log(3, 200, Double.NaN);
    float[] mu = new float[log.data().rows() * 2];
    new TablePolicy(BEHAVIOR_RIGHT).distribution(log.data().obs(), log.data().rows(), mu);
    ImportanceSampling.Values v = new ImportanceSampling(log, mu, null, 0.95).estimate(null);
    double logged = OffPolicyEvaluation.weightedMean(ImportanceSampling.loggedReturns(log, 0.95), null);
    assertEquals(logged, v.pdis(), 0.0);
    assertEquals(200, v.ess(), 0.0);
  }

  @Test
  void theTrustFlagFiresForATargetNoEpisodeFollows() {
    LoggedEpisodes log = log(4, 200, Double.NaN);
    // A deterministic target that never moves right, and a log whose every episode moves right at its first step
    // (the rewards and next states do not matter to the weights): no episode follows the target.
    for (int e = 0; e < log.episodes(); e++) {
      int first = log.starts()[e];
      log.data().actions()[first] = 1;
      log.behaviorProbs()[first] = (float) BEHAVIOR_RIGHT[(int) log.data().obs()[first]];
    }
    TablePolicy never = new TablePolicy(new double[] {0, 0, 0});
    OffPolicyEvaluation.Settings settings = new OffPolicyEvaluation.Settings(new Fqi.Schedule(5, 0.95, true, 1),
        trees(1), trees(1), EnumSet.of(Estimator.PDIS, Estimator.WPDIS), 50, 0, 1);
    OffPolicyEvaluation.Report r = OffPolicyEvaluation.run(log, List.of(new OffPolicyEvaluation.Target("behaviour",
        new TablePolicy(BEHAVIOR_RIGHT)), new OffPolicyEvaluation.Target("never", never)), settings, it -> {});
    long followers = java.util.stream.IntStream.range(0, log.episodes()).filter(e -> java.util.stream.IntStream
        .range(log.starts()[e], log.starts()[e + 1]).allMatch(i -> log.data().actions()[i] == 0)).count();
    for (Estimate e : r.estimates()) {
      if (e.policy().equals("behaviour")) {
        assertTrue(e.trusted(), "the behaviour policy is always trusted");
        assertEquals(200, e.ess(), 1e-9);
      } else {
        assertEquals(0, followers);
        assertEquals(0, e.ess(), 0.0);
        assertFalse(e.trusted(), "no episode follows 'never'");
      }
    }
  }

  static XgboostSettings trees(int threads) {
    return new XgboostSettings(TreeForm.SINGLE, 5, 3, 0.5, 1, 1, 1, 1, 64, threads, 0, false);
  }

  @Test
  void theBootstrapGivesTheSameIntervalsWhateverTheThreadCount() throws Exception {
    LoggedEpisodes log = log(6, 100, Double.NaN);
    List<OffPolicyEvaluation.Target> targets = List.of(new OffPolicyEvaluation.Target("t", new TablePolicy(TARGET_RIGHT)),
        new OffPolicyEvaluation.Target("b", new TablePolicy(BEHAVIOR_RIGHT)));
    List<List<Estimate>> runs = new ArrayList<>();
    for (int threads : new int[] {1, 2, 1}) {
      OffPolicyEvaluation.Settings s = new OffPolicyEvaluation.Settings(new Fqi.Schedule(8, 0.95, true, 1),
          trees(threads), trees(threads), Set.of(Estimator.values()), 300, 3, 42);
      ForkJoinPool pool = new ForkJoinPool(threads);
      try {
        runs.add(pool.submit(() -> OffPolicyEvaluation.run(log, targets, s, it -> {}).estimates()).get());
      } finally {
        pool.shutdown();
      }
    }
    assertEquals(runs.get(0), runs.get(1));
    assertEquals(runs.get(0), runs.get(2));
    Estimate fqe = runs.get(0).get(0);
    assertTrue(fqe.value().hi() > fqe.value().lo(), "FQE's refits give it an interval");
    OffPolicyEvaluation.Settings other = new OffPolicyEvaluation.Settings(new Fqi.Schedule(8, 0.95, true, 1),
        trees(1), trees(1), Set.of(Estimator.values()), 300, 3, 43);
    assertFalse(runs.get(0).equals(OffPolicyEvaluation.run(log, targets, other, it -> {}).estimates()),
        "another seed draws other resamples");
  }
}
