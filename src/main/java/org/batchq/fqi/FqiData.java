package org.batchq.fqi;

/**
 * Transitions as FQI consumes them: primitive arrays, observations row-major.
 *
 * @param terminal true where the episode ended by termination: no bootstrap. A truncated row (time limit) is not
 *     terminal and bootstraps from its next observation; a row with both flags is terminal.
 * @param initialRows indices of rows that start an episode, for the mean max-Q on initial states
 * @param behaviorProbs the probability the logging policy gave each row's action, or null when the log has none
 *     (importance-sampling estimators read it)
 * @param backup how each row's next state is valued: {@link Backup#MAX} for FQI, or the expectation under a target
 *     policy's distribution over these rows' next states for FQE
 */
public record FqiData(
    int rows, int observationSize, int actionCount, float[] obs, int[] actions, float[] rewards, float[] nextObs,
    boolean[] terminal, int[] initialRows, float[] behaviorProbs, Backup backup) {

  public FqiData {
    if (backup instanceof Backup.Expectation e && e.probabilities().length != rows * actionCount) {
      throw new IllegalArgumentException("the target distribution has " + e.probabilities().length + " values for "
          + rows + " next states of " + actionCount + " actions");
    }
  }

  public float[] initialObs() {
    float[] out = new float[initialRows.length * observationSize];
    for (int i = 0; i < initialRows.length; i++) {
      System.arraycopy(obs, initialRows[i] * observationSize, out, i * observationSize, observationSize);
    }
    return out;
  }

  /**
   * For each row, the row whose observation is this row's next observation bit for bit (the episode's next step,
   * where rows are in step order), or -1; so Q at a next state can be a value already known at a state.
   */
  public int[] successors() {
    int d = observationSize;
    int[] out = new int[rows];
    for (int i = 0; i < rows; i++) {
      out[i] = i + 1 < rows && java.util.Arrays.equals(nextObs, i * d, i * d + d, obs, (i + 1) * d, (i + 2) * d)
          ? i + 1 : -1;
    }
    return out;
  }

  /** The same transitions with other rewards. */
  public FqiData withRewards(float[] newRewards) {
    return new FqiData(rows, observationSize, actionCount, obs, actions, newRewards, nextObs, terminal, initialRows,
        behaviorProbs, backup);
  }

  /** The same transitions, bootstrapped by {@code newBackup}. */
  public FqiData withBackup(Backup newBackup) {
    return new FqiData(rows, observationSize, actionCount, obs, actions, rewards, nextObs, terminal, initialRows,
        behaviorProbs, newBackup);
  }
}
