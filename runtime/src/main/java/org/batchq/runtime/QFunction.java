package org.batchq.runtime;

import java.util.Map;

/** A fitted action-value function over a discrete action set. */
public interface QFunction extends AutoCloseable {
  int actionCount();

  /** Q(s, a) for {@code rows} observations (row-major), returned row-major: rows x actionCount. */
  float[] predict(float[] obs, int rows);

  /**
   * Q(s_i, a_i) for each of {@code rows} observations and its own action {@code actions[i]}: the same floats as
   * {@link #predict}'s, for where one action per row is all that is needed (an implementation may then skip the
   * others).
   */
  default float[] valuesOf(float[] obs, int rows, int[] actions) {
    float[] all = predict(obs, rows);
    int k = actionCount();
    float[] out = new float[rows];
    for (int i = 0; i < rows; i++) {
      out[i] = all[i * k + actions[i]];
    }
    return out;
  }

  /** The files that persist this function (name to bytes), in a format other tools read. */
  Map<String, byte[]> export();

  @Override
  void close();
}
