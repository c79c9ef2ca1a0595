package org.batchq.env;

/**
 * What callers may know about an environment: every observation size, action count and step limit in
 * batchq comes from here, never from a literal.
 *
 * @param id Gymnasium id, e.g. {@code CartPole-v1}
 * @param observationSize number of float32 values in one observation
 * @param actionCount number of discrete actions, 0..actionCount-1
 * @param maxEpisodeSteps the time limit; reaching it truncates (it is not a failure)
 * @param rewardThreshold Gymnasium's "solved" threshold for the mean return
 */
public record EnvSpec(String id, int observationSize, int actionCount, int maxEpisodeSteps, double rewardThreshold) {}
