package org.batchq.ope;

import org.batchq.fqi.Backup;
import org.batchq.fqi.FqiData;

/**
 * A log as whole episodes: every row of {@code data}, episode e being rows [starts[e], starts[e + 1]) in step
 * order. {@code behaviorProbs} is mu(a_t | s_t) for every row: the log's own column, or a behaviour model's
 * estimate ({@code estimated}).
 */
public record LoggedEpisodes(FqiData data, int[] starts, float[] behaviorProbs, boolean estimated) {
  public LoggedEpisodes {
    if (starts.length < 2 || starts[0] != 0 || starts[starts.length - 1] != data.rows()) {
      throw new IllegalArgumentException("episode starts must run from 0 to " + data.rows());
    }
    if (behaviorProbs != null && behaviorProbs.length != data.rows()) {
      throw new IllegalArgumentException(behaviorProbs.length + " behaviour probabilities for " + data.rows() + " rows");
    }
  }

  public int episodes() {
    return starts.length - 1;
  }

  /** The length of the longest episode. */
  public int longest() {
    int max = 0;
    for (int e = 0; e < episodes(); e++) {
      max = Math.max(max, starts[e + 1] - starts[e]);
    }
    return max;
  }

  /**
   * The log with episode e repeated {@code counts[e]} times (a bootstrap resample), as FQI's input: the rows and the
   * initial states of the chosen episodes, in episode order.
   */
  public FqiData resample(int[] counts) {
    int d = data.observationSize();
    int n = 0;
    int episodesIn = 0;
    for (int e = 0; e < episodes(); e++) {
      n += counts[e] * (starts[e + 1] - starts[e]);
      episodesIn += counts[e];
    }
    float[] obs = new float[n * d];
    float[] next = new float[n * d];
    int[] actions = new int[n];
    float[] rewards = new float[n];
    boolean[] terminal = new boolean[n];
    int[] initial = new int[episodesIn];
    int at = 0;
    int ep = 0;
    for (int e = 0; e < episodes(); e++) {
      int from = starts[e];
      int len = starts[e + 1] - from;
      for (int c = 0; c < counts[e]; c++) {
        System.arraycopy(data.obs(), from * d, obs, at * d, len * d);
        System.arraycopy(data.nextObs(), from * d, next, at * d, len * d);
        System.arraycopy(data.actions(), from, actions, at, len);
        System.arraycopy(data.rewards(), from, rewards, at, len);
        System.arraycopy(data.terminal(), from, terminal, at, len);
        initial[ep++] = at;
        at += len;
      }
    }
    return new FqiData(n, d, data.actionCount(), obs, actions, rewards, next, terminal, initial, null, Backup.MAX);
  }
}
