package org.batchq.loop;

import org.batchq.io.InvalidSettingException;
import org.batchq.model.Training;
import org.batchq.policy.EpsilonGreedyPolicy;
import org.batchq.rollout.Rollout;

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
    InvalidSettingException.atLeast("rounds", rounds, 1);
    new Rollout.Plan(envId, episodes, envs, seed, 0, 0, stepBudget); // checks episodes, envs and step_budget
    EpsilonGreedyPolicy.checkEpsilon(epsilon);
    InvalidSettingException.atLeast("eval_episodes", evalEpisodes, 2);
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidSettingException("name may hold letters, digits, '.', '_' and '-' only (got '" + name + "')",
          "name");
    }
  }
}
