package org.batchq.fqi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.batchq.learner.xgboost.XgboostRegressor;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class FqiTest {
  static final double TOLERANCE = 0.01;

  static XgboostRegressor xgboost(TreeForm form) {
    return new XgboostRegressor(new XgboostSettings(form, 50, 4, 0.5, 0, 1, 1, 1, 256, 1, 0, false), 1, 2);
  }

  @ParameterizedTest
  @EnumSource(TreeForm.class)
  void convergesToTheAnalyticOptimalQ(TreeForm form) {
    ChainMdp chain = new ChainMdp(7, 0.9);
    FqiData data = chain.data(10);
    List<IterationStats> seen = new ArrayList<>();
    try (XgboostRegressor regressor = xgboost(form);
        QFunction q = Fqi.fit(data, null, new Fqi.Schedule(12, chain.gamma, false, 1), regressor, null, seen::add)
            .q()) {
      float[] states = new float[chain.states - 1];
      for (int s = 0; s < states.length; s++) {
        states[s] = s;
      }
      float[] values = q.predict(states, states.length);
      for (int s = 0; s < states.length; s++) {
        for (int a = 0; a < 2; a++) {
          assertEquals(chain.optimalQ(s, a), values[s * 2 + a], TOLERANCE, "Q(" + s + ", " + a + ")");
        }
      }
    }
    assertEquals(12, seen.size());
    assertEquals(chain.optimalQ(0, 1), seen.get(11).initialMaxQ(), TOLERANCE);
    assertTrue(seen.get(11).meanAbsChange() < 1e-3, "converged: Q stopped changing");
  }

  /**
   * The held-out residual is the last iterate's error against the targets of the iterate before it, from a start
   * model's Q_0; under advantage learning the targets' action gaps are taken at the held-out states (from the previous
   * held-out row's next state where a row follows it, else predicted).
   */
  @ParameterizedTest
  @CsvSource({"SINGLE, 0", "MULTIPLE, 0", "SINGLE, 0.5", "MULTIPLE, 0.5"})
  void theHeldOutResidualIsTheLastIteratesBellmanErrorOnTheHeldOutRows(TreeForm form, double alpha) {
    // The held-out rows pay other rewards than the training rows, so the residual is far from zero; its next-state
    // values come partly from the held-out rows' own predictions (a next state that is the next row's state).
    ChainMdp chain = new ChainMdp(7, 0.9);
    FqiData train = chain.data(10);
    FqiData heldOut = chain.data(2);
    float[] rewards = heldOut.rewards().clone();
    for (int i = 0; i < rewards.length; i++) {
      rewards[i] += 0.1f * (i % 3);
    }
    FqiData valid = heldOut.withRewards(rewards);
    int[] successor = valid.successors();
    assertTrue(Arrays.stream(successor).anyMatch(j -> j >= 0)
        && Arrays.stream(successor).anyMatch(j -> j < 0), "both kinds of next state (and of state) are held out");
    List<IterationStats> seen = new ArrayList<>();
    try (XgboostRegressor regressor = xgboost(form);
        QFunction start = Fqi.fit(train, null, new Fqi.Schedule(2, chain.gamma, false, 1), regressor, null,
            it -> {}).q();
        QFunction q4 = Fqi.fit(train, valid, new Fqi.Schedule(4, chain.gamma, false, 1, alpha), regressor, start,
            seen::add).q();
        QFunction q3 = Fqi.fit(train, null, new Fqi.Schedule(3, chain.gamma, false, 1, alpha), regressor, start,
            it -> {}).q()) {
      float[] q = q4.predict(valid.obs(), valid.rows());
      float[] next = q3.predict(valid.nextObs(), valid.rows());
      float[] here = q3.predict(valid.obs(), valid.rows());
      double sum = 0;
      for (int i = 0; i < valid.rows(); i++) {
        float max = Math.max(next[i * 2], next[i * 2 + 1]);
        float y = valid.terminal()[i] ? valid.rewards()[i] : (float) (valid.rewards()[i] + chain.gamma * max);
        float gap = Math.max(here[i * 2], here[i * 2 + 1]) - here[i * 2 + valid.actions()[i]];
        y = alpha == 0 ? y : (float) (y - alpha * gap);
        double e = q[i * 2 + valid.actions()[i]] - y;
        sum += e * e;
      }
      double expected = sum / valid.rows();
      assertTrue(expected > 0.001, "a residual to measure: " + expected);
      assertEquals(expected, seen.get(3).validResidual(), 1e-9 * (1 + expected));
    }
  }

  @Test
  void startingFromAnEarlierFitContinuesItsBackups() {
    // On a chain of 7 states, Q_3 is still 0 four steps from the terminal; 3 + 3 iterations reach Q_6 there.
    ChainMdp chain = new ChainMdp(7, 0.9);
    FqiData data = chain.data(10);
    float[] states = {0, 1, 2, 3, 4, 5};
    try (XgboostRegressor regressor = xgboost(TreeForm.SINGLE);
        QFunction three = Fqi.fit(data, null, new Fqi.Schedule(3, chain.gamma, false, 1), regressor, null, it -> {}).q();
        QFunction six = Fqi.fit(data, null, new Fqi.Schedule(6, chain.gamma, false, 1), regressor, null, it -> {}).q();
        QFunction threeMore = Fqi.fit(data, null, new Fqi.Schedule(3, chain.gamma, false, 1), regressor, three,
            it -> {}).q()) {
      float[] q3 = three.predict(states, 6);
      float[] q6 = six.predict(states, 6);
      float[] continued = threeMore.predict(states, 6);
      assertEquals(0, q3[0 * 2 + 1], TOLERANCE, "from zero, 3 backups do not reach state 0");
      assertEquals(chain.optimalQ(0, 1), q6[0 * 2 + 1], TOLERANCE, "6 backups reach it");
      for (int i = 0; i < continued.length; i++) {
        assertEquals(q6[i], continued[i], TOLERANCE, "3 iterations from Q_3 are Q_6, entry " + i);
      }
    }
  }

  @Test
  void averagedIteratesBootstrapFromAndReturnTheMeanOfTheLastM() {
    // M = 2 from Q_0 = 0 on a chain of 7 (the terminal step pays 1 from state 5): Q_1 = r, so Q_1(5, right) = 1;
    // Q_2 bootstraps from (Q_0 + Q_1) / 2, so Q_2(4, right) = 0.9 * 0.5; the result is (Q_1 + Q_2) / 2, whose
    // value at (4, right) is 0.225. Plain FQI gives 0.9 there.
    ChainMdp chain = new ChainMdp(7, 0.9);
    try (XgboostRegressor regressor = xgboost(TreeForm.MULTIPLE);
        QFunction q = Fqi.fit(chain.data(10), null, new Fqi.Schedule(2, chain.gamma, false, 2), regressor, null,
            it -> {}).q()) {
      float[] values = q.predict(new float[] {3, 4, 5}, 3);
      assertEquals(1, values[2 * 2 + 1], TOLERANCE, "Q(5, right)");
      assertEquals(0.225, values[1 * 2 + 1], TOLERANCE, "Q(4, right)");
      assertEquals(0, values[0 * 2 + 1], TOLERANCE, "Q(3, right)");
    }
  }

  @ParameterizedTest
  @EnumSource(TreeForm.class)
  void averagedIteratesKeepTheFixedPoint(TreeForm form) {
    ChainMdp chain = new ChainMdp(6, 0.9);
    try (XgboostRegressor regressor = xgboost(form);
        QFunction q = Fqi.fit(chain.data(10), null, new Fqi.Schedule(30, chain.gamma, false, 4), regressor, null,
            it -> {}).q()) {
      float[] values = q.predict(new float[] {0, 1, 2, 3, 4}, 5);
      for (int s = 0; s < 5; s++) {
        for (int a = 0; a < 2; a++) {
          assertEquals(chain.optimalQ(s, a), values[s * 2 + a], TOLERANCE, "Q(" + s + ", " + a + ")");
        }
      }
    }
  }

  @Test
  void truncatedRowsBootstrapAndTerminatedRowsDoNot() {
    // One terminated row, one truncated row, one plain row; Q(s', .) = [2, 5] for every row.
    FqiData data = new FqiData(3, 1, 2, new float[] {0, 1, 2}, new int[] {0, 1, 0}, new float[] {1, 1, 1},
        new float[] {1, 2, 3}, new boolean[] {true, false, false}, new int[] {0}, null, Backup.MAX);
    float[] nextQ = {2, 5, 2, 5, 2, 5};
    float[] y = new float[3];
    Fqi.targets(data, nextQ, 0.5, new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}, y);
    assertEquals(1.0f, y[0], "terminated: the reward alone");
    assertEquals(1 + 0.5f * 5, y[1], "truncated by a time limit: bootstraps from next_obs");
    assertEquals(1 + 0.5f * 5, y[2]);
  }

  @Test
  void clippedTargetsStayWhereEveryReturnLies() {
    // Rewards in {0, 1} and gamma 0.5: every return lies in [0, 2]; a Q_k that overestimates (9) or goes negative
    // (-4) is not passed on, and the terminal row keeps its reward.
    FqiData data = new FqiData(3, 1, 2, new float[] {0, 1, 2}, new int[] {0, 1, 0}, new float[] {1, 0, 1},
        new float[] {1, 2, 3}, new boolean[] {true, false, false}, new int[] {0}, null, Backup.MAX);
    float[] range = Fqi.returnRange(data.rewards(), 0.5);
    assertEquals(0f, range[0]);
    assertEquals(2f, range[1]);
    float[] y = new float[3];
    Fqi.targets(data, new float[] {9, 9, -4, -6, 9, 1}, 0.5, range, y);
    assertEquals(1f, y[0], "terminal: the reward");
    assertEquals(0f, y[1], "0 + 0.5 * -4 = -2, clipped up to 0");
    assertEquals(2f, y[2], "1 + 0.5 * 9 = 5.5, clipped down to 2");
  }

  /**
   * Advantage learning converges to its own fixed point, computed here exactly: V* at the best action, every other
   * action's gap to it widened by 1 / (1 - alpha). Both ways a row's own-state values arrive are exercised: the
   * pairs of {@code data} are not in step order (every state is predicted), the walks are (each row's state is the
   * previous row's next state, so only episodes' first states are).
   */
  @ParameterizedTest
  @EnumSource(TreeForm.class)
  void advantageLearningKeepsTheOptimalValueAndWidensTheGaps(TreeForm form) {
    ChainMdp chain = new ChainMdp(6, 0.9);
    double alpha = 0.5;
    for (FqiData data : List.of(chain.data(10), chain.walks(10))) {
      try (XgboostRegressor regressor = xgboost(form);
          QFunction q = Fqi.fit(data, null, new Fqi.Schedule(80, chain.gamma, false, 1, alpha), regressor, null,
              it -> {}).q()) {
        float[] values = q.predict(new float[] {0, 1, 2, 3, 4}, 5);
        for (int s = 0; s < 5; s++) {
          for (int a = 0; a < 2; a++) {
            assertEquals(chain.advantageQ(s, a, alpha), values[s * 2 + a], TOLERANCE, "Q_AL(" + s + ", " + a + ")");
          }
        }
      }
    }
    assertTrue(chain.advantageQ(3, 0, alpha) < chain.optimalQ(3, 0) - 0.1, "a gap that widens: the test can tell");
  }

  @Test
  void advantageLearningLowersEachTargetByAlphaTimesItsGap() {
    // Q(s, .) = [2, 5] at row 0's state (action 0: gap 3) and [4, 1] at row 1's (action 1: gap 3); row 2 takes the
    // best action (no gap). Q(s', .) = [2, 5] everywhere, gamma 0.5, alpha 0.25.
    FqiData data = new FqiData(3, 1, 2, new float[] {0, 1, 2}, new int[] {0, 1, 1}, new float[] {1, 1, 1},
        new float[] {1, 2, 3}, new boolean[] {false, false, true}, new int[] {0}, null, Backup.MAX);
    float[] y = new float[3];
    Fqi.targets(data, new float[] {2, 5, 2, 5, 2, 5}, new float[] {2, 5, 4, 1, 0, 7}, 0.25, 0.5,
        new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}, y);
    assertEquals(1 + 0.5f * 5 - 0.25f * 3, y[0]);
    assertEquals(1 + 0.5f * 5 - 0.25f * 3, y[1]);
    assertEquals(1f, y[2], "terminal and greedy: the reward alone");
  }

  @Test
  void advantageLearningWidensTheClipRangeBelowAndIsRefusedForEvaluation() {
    // Returns in [0, 2]: at alpha 0.5 an action may lie (2 - 0) / (1 - 0.5) below V* = 2, so down to -2.
    assertArrayEquals(new float[] {-2f, 2f}, new Fqi.Schedule(5, 0.5, true, 1, 0.5).clipRange(new float[] {0, 2}));
    assertArrayEquals(new float[] {0f, 2f}, new Fqi.Schedule(5, 0.5, true, 1).clipRange(new float[] {0, 2}));
    ChainMdp chain = new ChainMdp(4, 0.9);
    FqiData data = chain.data(1);
    FqiData evaluation = data.withBackup(new Backup.Expectation(new float[data.rows() * 2]));
    try (XgboostRegressor regressor = xgboost(TreeForm.SINGLE)) {
      assertThrows(IllegalArgumentException.class, () -> Fqi.fit(evaluation, null,
          new Fqi.Schedule(2, chain.gamma, false, 1, 0.5), regressor, null, it -> {}));
    }
  }

  @Test
  void warmStartedBoostersAlsoReachTheAnalyticOptimalQ() {
    ChainMdp chain = new ChainMdp(6, 0.9);
    try (XgboostRegressor regressor = new XgboostRegressor(new XgboostSettings(TreeForm.MULTIPLE,
            10, 4, 0.5, 0, 1, 1, 1, 256, 1, 0, true), 1, 2);
        QFunction q = Fqi.fit(chain.data(10), null, new Fqi.Schedule(40, chain.gamma, false, 1), regressor, null,
            it -> {}).q()) {
      float[] values = q.predict(new float[] {0, 1, 2, 3, 4}, 5);
      for (int s = 0; s < 5; s++) {
        assertEquals(chain.optimalQ(s, 0), values[s * 2], TOLERANCE, "Q(" + s + ", 0)");
        assertEquals(chain.optimalQ(s, 1), values[s * 2 + 1], TOLERANCE, "Q(" + s + ", 1)");
      }
    }
  }

  /** A greedy target's one-hot distribution bootstraps exactly as the max does. */
  @Test
  void anExpectationOverTheGreedyActionIsTheMax() {
    ChainMdp chain = new ChainMdp(6, 0.9);
    FqiData data = chain.data(1);
    float[] nextQ = new float[data.rows() * 2];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    for (int i = 0; i < nextQ.length; i++) {
      nextQ[i] = (float) rng.nextDouble(-5, 5);
    }
    float[] oneHot = new float[nextQ.length];
    for (int i = 0; i < data.rows(); i++) {
      oneHot[i * 2 + org.batchq.runtime.ActionValues.argmax(nextQ, i, 2)] = 1f;
    }
    float[] open = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
    float[] max = new float[data.rows()];
    float[] expectation = new float[data.rows()];
    Fqi.targets(data, nextQ, 0.9, open, max);
    Fqi.targets(data.withBackup(new Backup.Expectation(oneHot)), nextQ, 0.9, open, expectation);
    org.junit.jupiter.api.Assertions.assertArrayEquals(max, expectation);
  }

  /**
   * Fitted Q Evaluation is FQI with the expectation backup: on the chain, for a greedy (always right) and an
   * epsilon-greedy target (right with 0.85), it converges to that policy's Q, computed here exactly.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(doubles = {1.0, 0.85})
  void theExpectationBackupEvaluatesAGivenPolicy(double right) {
    ChainMdp chain = new ChainMdp(7, 0.9);
    FqiData data = chain.data(10);
    float[] pi = new float[data.rows() * 2];
    for (int i = 0; i < data.rows(); i++) { // the target's distribution at each row's next state
      pi[i * 2] = (float) (1 - right);
      pi[i * 2 + 1] = (float) right;
    }
    double[][] truth = policyQ(chain, right);
    try (XgboostRegressor regressor = xgboost(TreeForm.MULTIPLE);
        QFunction q = Fqi.fit(data.withBackup(new Backup.Expectation(pi)), null,
            new Fqi.Schedule(60, chain.gamma, false, 1), regressor, null, it -> {}).q()) {
      for (int s = 0; s < chain.states - 1; s++) {
        float[] values = q.predict(new float[] {s}, 1);
        for (int a = 0; a < 2; a++) {
          assertEquals(truth[s][a], values[a], TOLERANCE, "Q^pi(" + s + ", " + a + ") with P(right) = " + right);
        }
      }
    }
  }

  /** Q^pi on the chain by iterating its Bellman equation to convergence in double precision. */
  static double[][] policyQ(ChainMdp chain, double right) {
    double[][] q = new double[chain.states][2];
    for (int k = 0; k < 2000; k++) {
      double[][] next = new double[chain.states][2];
      for (int s = 0; s < chain.states - 1; s++) {
        for (int a = 0; a < 2; a++) {
          int s2 = a == 1 ? s + 1 : Math.max(s - 1, 0);
          next[s][a] = s2 == chain.states - 1 ? 1
              : chain.gamma * ((1 - right) * q[s2][0] + right * q[s2][1]);
        }
      }
      q = next;
    }
    return q;
  }
}
