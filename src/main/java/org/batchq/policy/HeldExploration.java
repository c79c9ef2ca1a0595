package org.batchq.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.batchq.env.Rng;
import org.batchq.io.InvalidSettingException;
import org.batchq.io.Json;

/**
 * Exploration that holds its random actions (temporally extended epsilon-greedy, Dabney, Ostrovski and Barreto
 * 2020, "Temporally-extended epsilon-greedy exploration"): at a decision, with probability epsilon a uniformly
 * random action is drawn and held for a uniform 1..{@code hold} steps, otherwise the greedy action is taken for one
 * step. Without a model every decision explores: uniformly random actions, each held. Holding lets a behaviour
 * policy travel where one-step dithering never gets (MountainCar's goal needs tens of steps of one push, which a
 * policy that changes its mind every step almost never gives); it knows nothing about any environment.
 *
 * <p>The probability recorded is that of the action given the episode so far: on a decision step exactly the
 * epsilon-greedy one (epsilon/|A|, plus 1 - epsilon for the greedy action), and 1 on a step that continues a hold.
 * Per-decision importance sampling is valid with such history-dependent probabilities; as a target of off-policy
 * evaluation, which weighs and backs up Markov distributions, it is refused.
 *
 * <p>Every decision draws three numbers from the episode's own stream (explore, action, duration) whatever it
 * picks, and the hold is kept per episode, so an episode's actions do not depend on which episodes run beside it.
 */
public final class HeldExploration implements Policy {
  private final GreedyPolicy greedy;
  private final double epsilon;
  private final int hold;
  private final int actionCount;
  /**
   * Per episode (its action stream): the held action and the steps it is still held for. Synchronized because a
   * rollout's lockstep groups act on their own threads; each entry is only ever touched by its episode's group.
   */
  private final Map<Rng, int[]> held = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * @param greedy the model whose greedy action is taken when not exploring; null for uniformly random actions
   * @param epsilon the chance that a decision explores (ignored, as 1, without a model)
   * @param hold the longest hold; 1 holds nothing (plain epsilon-greedy or uniform random)
   */
  public HeldExploration(GreedyPolicy greedy, double epsilon, int hold, int actionCount) {
    EpsilonGreedyPolicy.checkEpsilon(epsilon);
    checkHold(hold);
    this.greedy = greedy;
    this.epsilon = greedy == null ? 1 : epsilon;
    this.hold = hold;
    this.actionCount = actionCount;
  }

  /**
   * The behaviour policy that explores around {@code greedy} (null: uniformly random) with {@code epsilon} and
   * holds of up to {@code hold} steps: plain epsilon-greedy or uniform random when {@code hold} is 1, so that data
   * collected without holds stays as it always was, draw for draw.
   */
  public static Policy of(GreedyPolicy greedy, double epsilon, int hold, int actionCount) {
    checkHold(hold);
    if (hold > 1) {
      return new HeldExploration(greedy, epsilon, hold, actionCount);
    }
    return greedy == null ? new RandomPolicy(actionCount) : new EpsilonGreedyPolicy(greedy, epsilon);
  }

  /** The one check of a hold length, for the policy and for settings that will build it later. */
  public static void checkHold(int hold) {
    InvalidSettingException.atLeast("hold", hold, 1);
  }

  @Override
  public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
    int[] greedyActions = greedy == null ? null : greedy.act(obs, rows);
    float greedyProb = (float) (1 - epsilon + epsilon / actionCount);
    float otherProb = (float) (epsilon / actionCount);
    for (int i = 0; i < rows; i++) {
      int[] state = held.get(rngs[i]);
      if (state != null && state[1] > 0) {
        state[1]--;
        actions[i] = state[0];
        probabilities[i] = 1f;
        continue;
      }
      boolean explore = rngs[i].nextDouble() < epsilon;
      int random = rngs[i].nextInt(actionCount);
      int steps = 1 + rngs[i].nextInt(hold);
      if (explore) {
        held.put(rngs[i], new int[] {random, steps - 1});
        actions[i] = random;
      } else {
        actions[i] = greedyActions[i];
      }
      probabilities[i] = greedyActions != null && actions[i] == greedyActions[i] ? greedyProb : otherProb;
    }
  }

  @Override
  public void distribution(float[] obs, int rows, float[] out) {
    throw new UnsupportedOperationException("a policy that holds actions depends on the episode so far, not on the"
        + " state alone: it can be a behaviour policy, not a target of off-policy evaluation");
  }

  @Override
  public String describe() {
    ObjectNode o = greedy == null ? Json.MAPPER.createObjectNode().put("type", "random")
        : greedy.describe("epsilon-greedy").put("epsilon", epsilon);
    return o.put("hold", hold).toString();
  }
}
