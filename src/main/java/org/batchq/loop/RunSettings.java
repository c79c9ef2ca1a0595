package org.batchq.loop;

import java.util.List;
import org.batchq.io.InvalidSettingException;
import org.batchq.model.Training;
import org.batchq.policy.EpsilonGreedyPolicy;
import org.batchq.policy.HeldExploration;
import org.batchq.rollout.Rollout;

/**
 * Everything that determines a run of the collect-fit loop; recorded in {@code runs/NAME.json} and checked on
 * {@code --resume}.
 *
 * @param stepBudget a round stops collecting once its first episodes reach this many transitions; 0 for none
 * @param growBatch fit round k on the data of rounds 0..k (true) or on round k's data alone
 * @param carryQ start round k's FQI from round k-1's Q-function (true) or from zero
 * @param epsilon exploration of the behaviour policy in rounds 1.. (round 0 is uniform random)
 * @param hold the longest hold of an exploratory action ({@link HeldExploration}); 1 holds nothing, as do
 *     manifests older than the option (null)
 * @param select how {@code best} is chosen: {@code online} (the rounds' evaluation returns) or {@code ope} (FQE on
 *     episodes of the run's own data that no round was fitted on); null in manifests older than the choice: online
 * @param guardRefit how a round whose fit from the carried Q went wrong is fitted again: {@code clipped} (from the
 *     same carried Q with targets clipped to the return range), {@code best} (from the Q of the best-scoring round
 *     before the carried one), either then from zero if that goes wrong too, or {@code zero} (from zero at once);
 *     null in manifests older than the choice: zero, what they did
 * @param rollback a round whose model does significantly worse than the best earlier round's on the same evaluation
 *     episodes (paired, at 5%) keeps that round's model instead; null in manifests older than the choice: false
 */
public record RunSettings(
    String name, String envId, int rounds, int episodes, long stepBudget, boolean growBatch, boolean carryQ,
    double epsilon, int evalEpisodes, int envs, long seed, Training.Config training, String select, Integer hold,
    String guardRefit, Boolean rollback) {
  public static final String ONLINE = "online";
  public static final String OPE = "ope";
  public static final String REFIT_CLIPPED = "clipped";
  public static final String REFIT_BEST = "best";
  public static final String REFIT_ZERO = "zero";

  public RunSettings {
    InvalidSettingException.atLeast("rounds", rounds, 1);
    new Rollout.Plan(envId, episodes, envs, seed, 0, 0, stepBudget); // checks episodes, envs and step_budget
    EpsilonGreedyPolicy.checkEpsilon(epsilon);
    hold = hold == null ? 1 : hold;
    HeldExploration.checkHold(hold);
    guardRefit = guardRefit == null ? REFIT_ZERO : guardRefit;
    rollback = rollback != null && rollback;
    if (!List.of(REFIT_CLIPPED, REFIT_BEST, REFIT_ZERO).contains(guardRefit)) {
      throw new InvalidSettingException("guard_refit must be clipped, best or zero (got '" + guardRefit + "')",
          "guard_refit");
    }
    InvalidSettingException.atLeast("eval_episodes", evalEpisodes, 2);
    if (select != null && !select.equals(ONLINE) && !select.equals(OPE)) {
      throw new InvalidSettingException("select must be online or ope (got '" + select + "')", "select");
    }
    if (OPE.equals(select) && (!growBatch || training.validationFraction() == 0)) {
      throw new InvalidSettingException("select ope scores every round on the episodes no round was fitted on: it"
          + " needs grow_batch and a validation_fraction above 0", "select", "grow_batch", "validation_fraction");
    }
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidSettingException("name may hold letters, digits, '.', '_' and '-' only (got '" + name + "')",
          "name");
    }
  }
}
