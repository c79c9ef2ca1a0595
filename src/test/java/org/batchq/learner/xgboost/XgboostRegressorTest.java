package org.batchq.learner.xgboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.batchq.data.Episode;
import org.batchq.fqi.Backup;
import org.batchq.fqi.Fqi;
import org.batchq.fqi.FqiData;
import org.batchq.learner.Regressor;
import org.batchq.policy.RandomPolicy;
import org.batchq.rollout.Rollout;
import org.batchq.testing.ForwardingRegressor;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class XgboostRegressorTest {
  /**
   * The training loss reads Q(s_i, a_i) from XGBoost's prediction cache of the training matrices instead of
   * predicting every action's matrix again: the values must be the same bits, row for row, in both forms (multiple
   * scatters each booster's rows back to where they came from), for a fresh fit and for a warm-started one.
   */
  @ParameterizedTest
  @EnumSource(TreeForm.class)
  void takenActionValuesFromTheCacheEqualAFullPrediction(TreeForm form) {
    int rows = 3_000;
    int d = 3;
    int actions = 3;
    SplittableRandom rng = new SplittableRandom(5);
    float[] obs = new float[rows * d];
    int[] taken = new int[rows];
    float[] y = new float[rows];
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < d; k++) {
        obs[i * d + k] = (float) rng.nextDouble(-1, 1);
      }
      taken[i] = rng.nextInt(actions);
      y[i] = obs[i * d] * (taken[i] + 1) + (float) rng.nextDouble(-0.1, 0.1);
    }
    XgboostSettings d6 = XgboostSettings.defaults(form, 1);
    XgboostSettings settings = new XgboostSettings(form, 20, d6.maxDepth(), d6.eta(), d6.minChildWeight(),
        d6.subsample(), d6.colsampleByNode(), d6.parallelTrees(), d6.maxBin(), 2, 1, true);
    try (XgboostRegressor regressor = new XgboostRegressor(settings, d, actions)) {
      Regressor.StateSet s = regressor.states(obs, rows);
      QFunction first = regressor.fit(s, taken, y, null);
      assertArrayEquals(fullPrediction(regressor, first, s, taken), regressor.predictTaken(first, s, taken), form + "");
      QFunction warm = regressor.fit(s, taken, y, first); // continues first's boosters
      assertArrayEquals(fullPrediction(regressor, warm, s, taken), regressor.predictTaken(warm, s, taken), form + "");
      warm.close();
    }
  }

  /**
   * FQI takes Q at a next state that is the next row's state, for the action taken there, from the training
   * predictions, and asks XGBoost only for the other actions' values: the boosters must be byte for byte those of
   * FQI through a regressor that computes every next-state value, in both forms, fresh, warm-started and with rows
   * subsampled.
   */
  @ParameterizedTest
  @EnumSource(TreeForm.class)
  void knownNextStateValuesGiveTheBoostersOfAFullPrediction(TreeForm form) {
    FqiData data = cartPoleEpisodes();
    int linked = (int) java.util.Arrays.stream(data.successors()).filter(j -> j >= 0).count();
    assertTrue(linked > data.rows() * 9 / 10, linked + " of " + data.rows() + " next states are the next row's");
    XgboostSettings d6 = XgboostSettings.defaults(form, 1);
    for (String variant : List.of("fresh", "warm", "subsampled")) {
      boolean warm = variant.equals("warm");
      double subsample = variant.equals("subsampled") ? 0.7 : d6.subsample(); // the cache of a sampled fit too
      XgboostSettings settings = new XgboostSettings(form, 10, d6.maxDepth(), d6.eta(), d6.minChildWeight(),
          subsample, d6.colsampleByNode(), d6.parallelTrees(), d6.maxBin(), 2, 1, warm);
      Fqi.Schedule schedule = new Fqi.Schedule(6, 0.99, false, 1);
      try (XgboostRegressor reusing = new XgboostRegressor(settings, 4, 2);
          XgboostRegressor computing = new XgboostRegressor(settings, 4, 2);
          QFunction a = Fqi.fit(data, null, schedule, reusing, null, it -> {}).q();
          QFunction b = Fqi.fit(data, null, schedule, new ForwardingRegressor(computing) {}, null, it -> {}).q()) {
        for (String file : a.export().keySet()) {
          assertArrayEquals(b.export().get(file), a.export().get(file), form + " " + variant + " " + file);
        }
      }
    }
  }

  /** 200 random CartPole episodes as FQI's data, rows in step order. */
  private static FqiData cartPoleEpisodes() {
    List<Episode> episodes = new ArrayList<>();
    Rollout.run(new Rollout.Plan("CartPole-v1", 200, 16, 11, 0, 0), new RandomPolicy(2), episodes::add);
    int rows = episodes.stream().mapToInt(Episode::length).sum();
    float[] obs = new float[rows * 4];
    float[] next = new float[rows * 4];
    int[] actions = new int[rows];
    float[] rewards = new float[rows];
    boolean[] terminal = new boolean[rows];
    int[] initial = new int[episodes.size()];
    int at = 0;
    for (int e = 0; e < episodes.size(); e++) {
      Episode ep = episodes.get(e);
      initial[e] = at;
      System.arraycopy(ep.obs(), 0, obs, at * 4, ep.length() * 4);
      System.arraycopy(ep.nextObs(), 0, next, at * 4, ep.length() * 4);
      System.arraycopy(ep.actions(), 0, actions, at, ep.length());
      System.arraycopy(ep.rewards(), 0, rewards, at, ep.length());
      terminal[at + ep.length() - 1] = ep.terminated();
      at += ep.length();
    }
    return new FqiData(rows, 4, 2, obs, actions, rewards, next, terminal, initial, null, Backup.MAX);
  }

  private static float[] fullPrediction(Regressor regressor, QFunction q, Regressor.StateSet s, int[] taken) {
    float[] all = regressor.predict(q, s);
    int actions = all.length / taken.length;
    float[] out = new float[taken.length];
    for (int i = 0; i < taken.length; i++) {
      out[i] = all[i * actions + taken[i]];
    }
    return out;
  }
}
