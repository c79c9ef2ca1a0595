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
