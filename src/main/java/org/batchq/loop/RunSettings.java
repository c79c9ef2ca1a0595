package org.batchq.loop;

import org.batchq.model.Training;

/**
 * Everything that determines a run of the collect-fit loop; recorded in {@code runs/NAME.json} and checked on
 * {@code --resume}.
 *
 * @param stepBudget a round stops collecting once its first episodes reach this many transitions; 0 for none
 * @param growBatch fit round k on the data of rounds 0..k (true) or on round k's data alone
 * @param carryQ start round k's FQI from round k-1's Q-function (true) or from zero
 * @param epsilon exploration of the behaviour policy in rounds 1.. (round 0 is uniform random)
 */
public record RunSettings(
    String name, String envId, int rounds, int episodes, long stepBudget, boolean growBatch, boolean carryQ,
    double epsilon, int evalEpisodes, int envs, long seed, Training.Config training) {

  public RunSettings {
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds must be at least 1 (got " + rounds + ")");
    }
    if (episodes < 1) {
      throw new IllegalArgumentException("--episodes must be at least 1 (got " + episodes + ")");
    }
    if (stepBudget < 0) {
      throw new IllegalArgumentException("--step-budget must not be negative (got " + stepBudget + ")");
    }
    if (!(epsilon >= 0 && epsilon <= 1)) {
      throw new IllegalArgumentException("--epsilon must be in [0, 1] (got " + epsilon + ")");
    }
    if (evalEpisodes < 2) {
      throw new IllegalArgumentException("--eval-episodes must be at least 2 (got " + evalEpisodes + ")");
    }
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("--name may hold letters, digits, '.', '_' and '-' only (got '" + name + "')");
    }
  }
}
