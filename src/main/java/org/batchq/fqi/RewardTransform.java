package org.batchq.fqi;

/**
 * How rewards are presented to FQI. {@code failure} is the Sutton-Barto form for tasks whose reward only says
 * "still alive": 0 per step and -1 on termination. Q then lies in [-1, 0] and equals -gamma^(steps to failure), so
 * the difference between actions near failure is not drowned by the size of the return; a truncated step (the time
 * limit) is not a failure and pays 0.
 */
public enum RewardTransform {
  NONE,
  FAILURE;

  public FqiData apply(FqiData data) {
    if (this == NONE || data == null) {
      return data;
    }
    float[] rewards = new float[data.rows()];
    for (int i = 0; i < rewards.length; i++) {
      rewards[i] = data.terminal()[i] ? -1f : 0f;
    }
    return data.withRewards(rewards);
  }
}
