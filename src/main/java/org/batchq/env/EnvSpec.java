package org.batchq.env;

/**
 * What callers may know about an environment: every observation size, action count and step limit in
 * batchq comes from here, never from a literal.
 *
 * @param id Gymnasium id, e.g. {@code CartPole-v1}; null for a log of a system batchq does not simulate, whose
 *     spaces come from the data ({@link #ofLog})
 * @param observationSize number of float32 values in one observation
 * @param actionCount number of discrete actions, 0..actionCount-1
 * @param maxEpisodeSteps the time limit; reaching it truncates (it is not a failure)
 * @param rewardThreshold Gymnasium's "solved" threshold for the mean return
 * @param explorationHold the longest hold of an exploratory action that {@code run} and {@code collect} use unless
 *     told otherwise ({@code --hold}, docs/run.md): 1 (no holds) except where measurement showed one-step
 *     exploration never reaches the goal
 */
public record EnvSpec(String id, int observationSize, int actionCount, int maxEpisodeSteps, double rewardThreshold,
    int explorationHold) {
  /** A spec whose exploration holds nothing by default (plugins' usual constructor). */
  public EnvSpec(String id, int observationSize, int actionCount, int maxEpisodeSteps, double rewardThreshold) {
    this(id, observationSize, actionCount, maxEpisodeSteps, rewardThreshold, 1);
  }

  /** The spaces of a log without a simulator: no id, no time limit, no threshold. */
  public static EnvSpec ofLog(int observationSize, int actionCount) {
    return new EnvSpec(null, observationSize, actionCount, 0, Double.NaN);
  }

  /** Whether batchq simulates this environment (a log of another system has only its spaces). */
  public boolean simulated() {
    return id != null;
  }

  /** The environment in messages: its id, or "the log" for a log without a simulator. */
  public String describe() {
    return id != null ? id : "the log";
  }
}
