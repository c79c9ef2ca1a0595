package org.batchq.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.batchq.data.Episode;
import org.batchq.rollout.Rollout;
import org.junit.jupiter.api.Test;

class HeldExplorationTest {
  static final Path MODEL = Path.of("src", "test", "resources", "recorded", "single");

  static List<Episode> roll(Policy policy, int envs) {
    List<Episode> out = new ArrayList<>();
    Rollout.run(new Rollout.Plan("CartPole-v1", 200, envs, 3, 0, 0), policy, out::add);
    return out;
  }

  @Test
  void randomActionsAreHeldForUpToHoldStepsWithTheirProbabilityGivenTheEpisodeSoFar() {
    int hold = 6;
    int longest = 0;
    for (Episode e : roll(HeldExploration.of(null, 0, hold, 2), 16)) {
      int run = 0;
      for (int t = 0; t < e.length(); t++) {
        if (e.behaviorProbs()[t] == 1f) { // a step that continues a hold: the same action as the step before
          assertTrue(t > 0, "an episode starts with a decision");
          assertEquals(e.actions()[t - 1], e.actions()[t]);
          run++;
        } else {
          assertEquals(0.5f, e.behaviorProbs()[t]); // a decision: uniform over two actions
          run = 1;
        }
        assertTrue(run <= hold, "held " + run + " steps");
        longest = Math.max(longest, run);
      }
    }
    assertEquals(hold, longest, "some hold lasts the longest time allowed");
  }

  @Test
  void anEpisodesActionsDoNotDependOnTheEpisodesBesideIt() {
    // The hold is kept per episode: with one environment slot, episodes follow each other in the same slot.
    List<Episode> alone = roll(HeldExploration.of(null, 0, 8, 2), 1);
    List<Episode> side = roll(HeldExploration.of(null, 0, 8, 2), 16);
    for (int i = 0; i < alone.size(); i++) {
      assertArrayEquals(alone.get(i).actions(), side.get(i).actions(), "episode " + i);
      assertArrayEquals(alone.get(i).behaviorProbs(), side.get(i).behaviorProbs(), "episode " + i);
    }
  }

  @Test
  void aroundAModelDecisionsAreEpsilonGreedyAndTheGreedyStepsAreNotHeld() {
    try (GreedyPolicy greedy = GreedyPolicy.load(MODEL)) {
      double epsilon = 0.3;
      float greedyProb = (float) (1 - epsilon + epsilon / 2);
      float otherProb = (float) (epsilon / 2);
      int held = 0;
      for (Episode e : roll(HeldExploration.of(greedy, epsilon, 5, 2), 16)) {
        int[] greedyActions = greedy.act(e.obs(), e.length());
        for (int t = 0; t < e.length(); t++) {
          float p = e.behaviorProbs()[t];
          if (p == 1f) {
            held++;
            assertEquals(e.actions()[t - 1], e.actions()[t]);
          } else {
            assertEquals(e.actions()[t] == greedyActions[t] ? greedyProb : otherProb, p, "step " + t);
          }
        }
      }
      assertTrue(held > 0);
    }
  }

  @Test
  void withoutHoldsItIsThePlainPolicyAndHeldOnesAreNoTarget() {
    assertInstanceOf(RandomPolicy.class, HeldExploration.of(null, 0, 1, 2));
    Policy held = HeldExploration.of(null, 0, 3, 2);
    assertThrows(UnsupportedOperationException.class, () -> held.distribution(new float[4], 1, new float[2]));
    assertEquals("{\"type\":\"random\",\"hold\":3}", held.describe());
  }
}
