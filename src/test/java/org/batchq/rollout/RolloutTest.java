package org.batchq.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.batchq.data.Episode;
import org.batchq.env.CartPole;
import org.batchq.env.Rng;
import org.batchq.policy.HeldExploration;
import org.batchq.policy.Policy;
import org.batchq.policy.RandomPolicy;
import org.junit.jupiter.api.Test;

class RolloutTest {
  static List<Episode> roll(int episodes, int envs, long seed) {
    List<Episode> out = new ArrayList<>();
    Rollout.run(new Rollout.Plan("CartPole-v1", episodes, envs, seed, 0, 100), new RandomPolicy(2), out::add);
    return out;
  }

  @Test
  void episodesDoNotDependOnTheNumberOfEnvironmentsInLockstep() {
    List<Episode> one = roll(40, 1, 5);
    for (int envs : new int[] {3, 16, 64}) {
      List<Episode> many = roll(40, envs, 5);
      assertEquals(one.size(), many.size());
      for (int i = 0; i < one.size(); i++) {
        Episode a = one.get(i);
        Episode b = many.get(i);
        assertEquals(a.id(), b.id());
        assertArrayEquals(a.obs(), b.obs(), "episode " + i + " with " + envs + " envs");
        assertArrayEquals(a.nextObs(), b.nextObs());
        assertArrayEquals(a.actions(), b.actions());
        assertEquals(a.terminated(), b.terminated());
      }
    }
  }

  @Test
  void episodesDoNotDependOnTheThreadsTheSlotsAreSplitAcross() {
    // Held exploration keeps per-episode state in the policy, which the groups share across threads.
    Policy policy = HeldExploration.of(null, 1, 5, 2);
    long budget = 4_000;
    List<List<Episode>> runs = new ArrayList<>();
    for (int threads : new int[] {1, 2, 3}) {
      List<Episode> out = new ArrayList<>();
      Rollout.run(new Rollout.Plan("CartPole-v1", 300, 64, 7, 2, 0, budget), policy, out::add, threads);
      runs.add(out);
    }
    List<Episode> one = runs.get(0);
    assertTrue(one.stream().mapToLong(Episode::length).sum() >= budget && one.size() < 300, "the budget binds");
    for (int r = 1; r < runs.size(); r++) {
      List<Episode> split = runs.get(r);
      assertEquals(one.size(), split.size(), "episodes kept on " + (r + 1) + " threads");
      for (int i = 0; i < one.size(); i++) {
        assertEquals(one.get(i).id(), split.get(i).id());
        assertArrayEquals(one.get(i).obs(), split.get(i).obs(), "episode " + i + " on " + (r + 1) + " threads");
        assertArrayEquals(one.get(i).actions(), split.get(i).actions());
        assertArrayEquals(one.get(i).behaviorProbs(), split.get(i).behaviorProbs());
      }
    }
  }

  @Test
  void aFailureInOneGroupReachesTheCallerAsThrownAndStopsTheOthers() {
    // The group that acts first fails at every step (each group steps its own arrays), on whichever thread the pool
    // runs it: the caller must get that very exception (the pool would rethrow a worker's as a reconstructed copy),
    // and the other group, which could run out all 200 episodes, must stop within a step of it.
    AtomicReference<float[]> failingGroup = new AtomicReference<>();
    AtomicReference<RuntimeException> thrown = new AtomicReference<>();
    AtomicInteger stepsAfter = new AtomicInteger();
    Policy random = new RandomPolicy(2);
    Policy failing = new Policy() {
      @Override
      public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
        failingGroup.compareAndSet(null, obs);
        if (failingGroup.get() == obs) {
          RuntimeException e = new IllegalStateException("the simulator stopped");
          thrown.compareAndSet(null, e);
          throw e;
        }
        if (thrown.get() != null) {
          stepsAfter.incrementAndGet();
        }
        random.act(obs, rows, rngs, actions, probabilities);
      }

      @Override
      public void distribution(float[] obs, int rows, float[] out) {
        random.distribution(obs, rows, out);
      }

      @Override
      public String describe() {
        return random.describe();
      }
    };
    RuntimeException caught = assertThrows(RuntimeException.class,
        () -> Rollout.run(new Rollout.Plan("CartPole-v1", 200, 64, 3, 0, 0), failing, e -> {}, 2));
    assertSame(thrown.get(), caught, "the exception itself, not a copy");
    assertTrue(stepsAfter.get() <= 2, "the other group stopped; it stepped " + stepsAfter.get() + " times after");
  }

  @Test
  void episodesArriveInIdOrderWithTheirTrueFinalObservation() {
    List<Episode> episodes = roll(50, 8, 9);
    for (int i = 0; i < episodes.size(); i++) {
      Episode e = episodes.get(i);
      assertEquals(100 + i, e.id(), "ids in order, starting at firstEpisodeId");
      int d = e.observationSize();
      for (int t = 0; t + 1 < e.length(); t++) {
        for (int k = 0; k < d; k++) {
          assertEquals(e.nextObs()[t * d + k], e.obs()[(t + 1) * d + k], "next_obs is the next obs");
        }
      }
      // The last next_obs is the failing state itself, not a reset state near zero.
      int last = (e.length() - 1) * d;
      float x = e.nextObs()[last];
      float theta = e.nextObs()[last + 2];
      assertTrue(e.terminated());
      assertTrue(Math.abs(x) > 2.4f || Math.abs(theta) > 0.2094f, "final next_obs fails: x=" + x + " theta=" + theta);
    }
  }

  @Test
  void aStepBudgetKeepsTheShortestPrefixOfEpisodesThatReachesIt() {
    List<Episode> all = roll(60, 4, 11);
    long budget = 300;
    int n = 0;
    long sum = 0;
    while (sum < budget) {
      sum += all.get(n++).length();
    }
    assertTrue(n < all.size(), "the budget binds before the episodes run out");
    for (int envs : new int[] {1, 5, 32}) {
      List<Episode> kept = new ArrayList<>();
      Rollout.run(new Rollout.Plan("CartPole-v1", 60, envs, 11, 0, 100, budget), new RandomPolicy(2), kept::add);
      assertEquals(n, kept.size(), "episodes kept with " + envs + " envs");
      for (int i = 0; i < n; i++) {
        assertEquals(all.get(i).id(), kept.get(i).id());
        assertArrayEquals(all.get(i).obs(), kept.get(i).obs(), "episode " + i + " with " + envs + " envs");
      }
    }
  }

  @Test
  void anotherSeedGivesOtherEpisodes() {
    assertTrue(roll(5, 2, 1).get(0).obs()[0] != roll(5, 2, 2).get(0).obs()[0]);
  }

  @Test
  void timeLimitTruncatesAtTheStepLimit() {
    // A policy that balances well (push towards the pole's lean) reaches the 500-step limit.
    List<Episode> out = new ArrayList<>();
    Rollout.run(new Rollout.Plan("CartPole-v1", 3, 2, 1, 0, 0), new BalancingPolicy(), out::add);
    for (Episode e : out) {
      assertEquals(CartPole.SPEC.maxEpisodeSteps(), e.length());
      assertTrue(e.truncated());
    }
  }

  /** A hand-written controller: push in the direction of theta + theta_dot. */
  static final class BalancingPolicy implements org.batchq.policy.Policy {
    @Override
    public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
      for (int i = 0; i < rows; i++) {
        actions[i] = obs[i * 4 + 2] + obs[i * 4 + 3] > 0 ? 1 : 0;
        probabilities[i] = 1;
      }
    }

    @Override
    public void distribution(float[] obs, int rows, float[] out) {
      int[] actions = new int[rows];
      act(obs, rows, null, actions, new float[rows]);
      org.batchq.policy.Policy.oneHot(actions, rows, 2, out);
    }

    @Override
    public String describe() {
      return "{\"type\":\"balancing\"}";
    }
  }
}
