package org.batchq.data;

/**
 * One complete episode as rolled out: row t holds obs_t, the action taken, the reward, and the true next
 * observation (never a reset state). Exactly the last row ends the episode, by termination, truncation or both.
 */
public record Episode(
    long id,
    int length,
    int observationSize,
    float[] obs,
    int[] actions,
    float[] rewards,
    float[] nextObs,
    float[] behaviorProbs,
    boolean terminated,
    boolean truncated) {

  public double totalReward() {
    double sum = 0;
    for (int t = 0; t < length; t++) {
      sum += rewards[t];
    }
    return sum;
  }
}
