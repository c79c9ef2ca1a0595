package org.batchq.runtime;

/**
 * The one implementation of max and argmax over actions, for Q-values laid out row-major (rows x actions) as every
 * {@link QFunction} returns them: FQI's targets and diagnostics, the greedy policy and the Spark engine use it.
 */
public final class ActionValues {
  private ActionValues() {}

  /** max_a q[row, a]. */
  public static float max(float[] q, int row, int actions) {
    int from = row * actions;
    float best = q[from];
    for (int a = 1; a < actions; a++) {
      best = Math.max(best, q[from + a]);
    }
    return best;
  }

  /** argmax_a q[row, a], ties broken towards the lowest action index. */
  public static int argmax(float[] q, int row, int actions) {
    int from = row * actions;
    int best = 0;
    for (int a = 1; a < actions; a++) {
      if (q[from + a] > q[from + best]) {
        best = a;
      }
    }
    return best;
  }

  /** The argmax of each of {@code rows} rows into {@code out}. */
  public static void argmax(float[] q, int rows, int actions, int[] out) {
    for (int i = 0; i < rows; i++) {
      out[i] = argmax(q, i, actions);
    }
  }

  /** The mean over rows of max_a q[row, a]; NaN for no rows. */
  public static double meanMax(float[] q, int actions) {
    int rows = q.length / actions;
    double sum = 0;
    for (int i = 0; i < rows; i++) {
      sum += max(q, i, actions);
    }
    return rows == 0 ? Double.NaN : sum / rows;
  }
}
