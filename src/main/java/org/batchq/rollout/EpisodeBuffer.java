package org.batchq.rollout;

import java.util.Arrays;
import org.batchq.data.Episode;

/** The growing transitions of one slot's current episode, in primitive arrays. */
final class EpisodeBuffer {
  private final int d;
  private float[] obs;
  private float[] nextObs;
  private int[] actions;
  private float[] rewards;
  private float[] probs;
  private int length;

  EpisodeBuffer(int observationSize) {
    d = observationSize;
    allocate(64);
  }

  void add(float[] allObs, float[] allNextObs, int offset, int action, float reward, float prob) {
    if (length == actions.length) {
      int n = length * 2;
      obs = Arrays.copyOf(obs, n * d);
      nextObs = Arrays.copyOf(nextObs, n * d);
      actions = Arrays.copyOf(actions, n);
      rewards = Arrays.copyOf(rewards, n);
      probs = Arrays.copyOf(probs, n);
    }
    System.arraycopy(allObs, offset, obs, length * d, d);
    System.arraycopy(allNextObs, offset, nextObs, length * d, d);
    actions[length] = action;
    rewards[length] = reward;
    probs[length] = prob;
    length++;
  }

  /** Hands the episode over and starts an empty one. */
  Episode finish(long id, boolean terminated, boolean truncated) {
    Episode e = new Episode(id, length, d, Arrays.copyOf(obs, length * d), Arrays.copyOf(actions, length),
        Arrays.copyOf(rewards, length), Arrays.copyOf(nextObs, length * d), Arrays.copyOf(probs, length),
        terminated, truncated);
    length = 0;
    return e;
  }

  private void allocate(int n) {
    obs = new float[n * d];
    nextObs = new float[n * d];
    actions = new int[n];
    rewards = new float[n];
    probs = new float[n];
  }
}
