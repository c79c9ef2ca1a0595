package org.batchq.fqi;

/**
 * Transitions as FQI consumes them: primitive arrays, observations row-major.
 *
 * @param terminal true where the episode ended by termination: no bootstrap. A truncated row (time limit) is not
 *     terminal and bootstraps from its next observation; a row with both flags is terminal.
 * @param initialRows indices of rows that start an episode, for the mean max-Q on initial states
 */
public record FqiData(
    int rows, int observationSize, int actionCount, float[] obs, int[] actions, float[] rewards, float[] nextObs,
    boolean[] terminal, int[] initialRows) {

  public float[] initialObs() {
    float[] out = new float[initialRows.length * observationSize];
    for (int i = 0; i < initialRows.length; i++) {
      System.arraycopy(obs, initialRows[i] * observationSize, out, i * observationSize, observationSize);
    }
    return out;
  }
}
