package org.batchq.fqi;

import java.util.ArrayList;
import java.util.List;

/**
 * A chain of states 0..N-1 whose optimal Q-values are known in closed form. Action 1 moves right, action 0 moves
 * left (state 0 stays). Stepping from N-2 to N-1 terminates with reward 1; every other step pays 0. So
 * V*(s) = gamma^(N-2-s) and Q*(s, right) = V*(s), Q*(s, left) = gamma * V*(max(s-1, 0)).
 */
public final class ChainMdp {
  public final int states;
  public final double gamma;

  public ChainMdp(int states, double gamma) {
    this.states = states;
    this.gamma = gamma;
  }

  double optimalQ(int s, int a) {
    return a == 1 ? Math.pow(gamma, states - 2 - s) : gamma * Math.pow(gamma, states - 2 - Math.max(s - 1, 0));
  }

  /** Advantage learning's fixed point with {@code alpha}: V* for the best action, gaps widened by 1 / (1 - alpha). */
  double advantageQ(int s, int a, double alpha) {
    double v = optimalQ(s, 1);
    return v - (v - optimalQ(s, a)) / (1 - alpha);
  }

  /**
   * Every (state, action) pair {@code copies} times, as episodes in step order, each row's next state the next row's
   * state: from 0, left (staying there), then at every state right, back left and right again, until the terminal step.
   */
  public FqiData walks(int copies) {
    List<float[]> rows = new ArrayList<>(); // state, action, next state
    List<Integer> initial = new ArrayList<>();
    for (int c = 0; c < copies; c++) {
      initial.add(rows.size());
      rows.add(new float[] {0, 0, 0});
      for (int s = 0; s < states - 1; s++) {
        rows.add(new float[] {s, 1, s + 1});
        if (s + 1 < states - 1) {
          rows.add(new float[] {s + 1, 0, s});
          rows.add(new float[] {s, 1, s + 1});
        }
      }
    }
    int n = rows.size();
    float[] obs = new float[n];
    float[] next = new float[n];
    int[] actions = new int[n];
    float[] rewards = new float[n];
    boolean[] terminal = new boolean[n];
    for (int i = 0; i < n; i++) {
      float[] r = rows.get(i);
      obs[i] = r[0];
      actions[i] = (int) r[1];
      next[i] = r[2];
      terminal[i] = r[2] == states - 1;
      rewards[i] = terminal[i] ? 1 : 0;
    }
    return new FqiData(n, 1, 2, obs, actions, rewards, next, terminal,
        initial.stream().mapToInt(Integer::intValue).toArray(), null, Backup.MAX);
  }

  /** Every (state, action) pair {@code copies} times. */
  public FqiData data(int copies) {
    int n = (states - 1) * 2 * copies;
    float[] obs = new float[n];
    float[] next = new float[n];
    int[] actions = new int[n];
    float[] rewards = new float[n];
    boolean[] terminal = new boolean[n];
    List<Integer> initial = new ArrayList<>();
    int i = 0;
    for (int c = 0; c < copies; c++) {
      for (int s = 0; s < states - 1; s++) {
        for (int a = 0; a < 2; a++) {
          int s2 = a == 1 ? s + 1 : Math.max(s - 1, 0);
          obs[i] = s;
          next[i] = s2;
          actions[i] = a;
          rewards[i] = s2 == states - 1 ? 1 : 0;
          terminal[i] = s2 == states - 1;
          if (s == 0) {
            initial.add(i);
          }
          i++;
        }
      }
    }
    return new FqiData(n, 1, 2, obs, actions, rewards, next, terminal,
        initial.stream().mapToInt(Integer::intValue).toArray(), null, Backup.MAX);
  }
}
