package org.batchq.rollout;

import java.util.Arrays;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import org.batchq.data.Episode;
import org.batchq.env.EnvSpec;
import org.batchq.env.Environments;
import org.batchq.env.Rng;
import org.batchq.env.VectorEnv;
import org.batchq.io.InvalidSettingException;
import org.batchq.policy.Policy;

/**
 * Runs a fixed set of episodes, numbered 0..N-1, in K environments stepped in lockstep under one policy; shared
 * by {@code collect}, {@code evaluate} and {@code run}.
 *
 * <p>Seeding contract (docs/reproducibility.md): episode i resets from stream (seed, RESET, round, i) and acts from
 * stream (seed, ACTION, round, i). A free slot takes the next unstarted episode, so the set of episodes is fixed
 * up front and every episode's rows are the same whatever K is; episodes reach the sink in id order, so short
 * episodes finishing first never bias what is kept. A step budget keeps that: the episodes kept are the shortest
 * prefix 0..n-1 whose lengths reach the budget, whatever K is (episodes started beyond it are dropped). The same
 * holds whatever the number of threads the slots are split across.
 */
public final class Rollout {
  static final long RESET_STREAM = 0;
  static final long ACTION_STREAM = 1;

  /**
   * @param firstEpisodeId the id of episode 0, so that ids stay unique across a run's rounds
   * @param stepBudget stop after the first episodes whose lengths add up to at least this many transitions, even if
   *     fewer than {@code episodes}; 0 for no budget
   */
  public record Plan(String envId, int episodes, int envs, long seed, int round, long firstEpisodeId,
      long stepBudget) {
    public Plan {
      InvalidSettingException.atLeast("episodes", episodes, 1);
      InvalidSettingException.atLeast("envs", envs, 1);
      InvalidSettingException.atLeast("step_budget", stepBudget, 0);
    }

    /** A plan without a step budget. */
    public Plan(String envId, int episodes, int envs, long seed, int round, long firstEpisodeId) {
      this(envId, episodes, envs, seed, round, firstEpisodeId, 0);
    }
  }

  private Rollout() {}

  /** Rolls out every episode of the plan and hands each to {@code sink}, in episode order, using every core. */
  public static void run(Plan plan, Policy policy, Consumer<Episode> sink) {
    run(plan, policy, sink, Runtime.getRuntime().availableProcessors());
  }

  /**
   * As {@link #run(Plan, Policy, Consumer)} on at most {@code threads} threads. The plan's K slots are split into
   * groups, each stepped in lockstep by one thread (the caller or a worker of the common pool) and taking the next
   * unstarted episode when a slot frees, so no thread waits for another between steps. An episode's rows depend
   * only on its id's streams, so they are the same whatever the split; {@code sink} is called by one thread at a
   * time, in id order.
   */
  static void run(Plan plan, Policy policy, Consumer<Episode> sink, int threads) {
    int k = Math.min(plan.envs(), plan.episodes());
    // As many groups as threads, however few slots each: two groups of one slot step twice as fast as one group of
    // two, and groups of 2-32 slots were no slower than groups of 64 (docs/BENCHMARKS.md).
    int groups = Math.max(1, Math.min(threads, k));
    Schedule schedule = new Schedule(plan, sink, k);
    // Group g's slots start episodes first(g) .. first(g + 1) - 1, decided here: were they taken from the counter
    // as each thread starts, a fast group could run out the episodes before a slow one had reset its slots once.
    IntUnaryOperator first = g -> g * (k / groups) + Math.min(g, k % groups);
    // On the common pool, whose workers then run the groups and not the trees' inner blocks of rows beside them
    // (threads of their own were 20% slower for that). A group records its failure instead of throwing it, so the
    // caller rethrows the very exception, not the pool's reconstructed copy.
    AtomicReference<Throwable> failure = new AtomicReference<>();
    IntStream all = IntStream.range(0, groups);
    (groups > 1 ? all.parallel() : all).forEach(g -> schedule.runGroup(policy, first.applyAsInt(g),
        first.applyAsInt(g + 1), failure));
    Throwable failed = failure.get();
    if (failed instanceof RuntimeException e) {
      throw e;
    } else if (failed instanceof Error e) {
      throw e;
    }
  }

  /** What the groups of one rollout share: the next episode to start, and the sink in id order. */
  private static final class Schedule {
    private final Plan plan;
    private final EnvSpec spec;
    private final AtomicInteger nextEpisode;
    private final InOrder ordered;
    /** Set when a group fails, so that the others stop instead of running out their episodes. */
    private volatile boolean stopped;

    /** {@code slots}: the episodes 0 .. slots - 1 are started by the groups themselves, one per slot. */
    Schedule(Plan plan, Consumer<Episode> sink, int slots) {
      this.plan = plan;
      this.nextEpisode = new AtomicInteger(slots);
      this.spec = Environments.spec(plan.envId());
      this.ordered = new InOrder(sink, plan.firstEpisodeId(), plan.stepBudget() == 0 ? Long.MAX_VALUE
          : plan.stepBudget());
    }

    /** The next unstarted episode, or -1 when all have started. */
    private int take() {
      int e = nextEpisode.getAndIncrement();
      return e < plan.episodes() ? e : -1;
    }

    /**
     * Steps a group whose slots start episodes {@code from} to {@code to - 1} until no episodes are left; a failure is
     * recorded and stops every group.
     */
    void runGroup(Policy policy, int from, int to, AtomicReference<Throwable> failure) {
      try {
        lockstep(policy, from, to - from);
      } catch (RuntimeException | Error e) {
        failure.compareAndSet(null, e);
        stopped = true;
      }
    }

    private void lockstep(Policy policy, int firstEpisode, int k) {
      int d = spec.observationSize();
      VectorEnv env = Environments.make(plan.envId(), k);
      float[] obs = new float[k * d];
      float[] nextObs = new float[k * d];
      float[] rewards = new float[k];
      boolean[] terminated = new boolean[k];
      boolean[] truncated = new boolean[k];
      int[] actions = new int[k];
      float[] probs = new float[k];
      Rng[] actionStreams = new Rng[k];
      EpisodeBuffer[] buffers = new EpisodeBuffer[k];
      int[] episodeOfSlot = new int[k];
      Arrays.fill(episodeOfSlot, -1);

      for (int slot = 0; slot < k; slot++) {
        buffers[slot] = new EpisodeBuffer(d);
        start(env, slot, firstEpisode + slot, obs, actionStreams, episodeOfSlot);
      }
      int running = k;
      Compactor idle = new Compactor(k, d);
      while (running > 0 && !ordered.budgetReached() && !stopped) {
        if (running == k) {
          policy.act(obs, k, actionStreams, actions, probs);
        } else {
          idle.act(policy, episodeOfSlot, obs, actionStreams, actions, probs); // the tail: ask only for live slots
        }
        env.step(actions, nextObs, rewards, terminated, truncated);
        for (int slot = 0; slot < k; slot++) {
          if (episodeOfSlot[slot] < 0) {
            continue; // idle: no episodes left to start
          }
          buffers[slot].add(obs, nextObs, slot * d, actions[slot], rewards[slot], probs[slot]);
          if (terminated[slot] || truncated[slot]) {
            // The buffer already holds the true final observation (nextObs); only now may reset overwrite obs.
            ordered.accept(buffers[slot].finish(plan.firstEpisodeId() + episodeOfSlot[slot], terminated[slot],
                truncated[slot]));
            int next = take();
            if (next >= 0) {
              start(env, slot, next, obs, actionStreams, episodeOfSlot);
            } else {
              episodeOfSlot[slot] = -1;
              running--;
            }
          } else {
            System.arraycopy(nextObs, slot * d, obs, slot * d, d);
          }
        }
      }
    }

    private void start(VectorEnv env, int slot, int episode, float[] obs, Rng[] actionStreams, int[] episodeOfSlot) {
      env.reset(slot, Rng.derive(plan.seed(), RESET_STREAM, plan.round(), episode), obs, slot * spec.observationSize());
      actionStreams[slot] = Rng.derive(plan.seed(), ACTION_STREAM, plan.round(), episode);
      episodeOfSlot[slot] = episode;
    }
  }

  /** Asks the policy about running slots only, once some slots have no episode left to run. */
  private static final class Compactor {
    private final int d;
    private final int[] slots;
    private final float[] obs;
    private final Rng[] streams;
    private final int[] actions;
    private final float[] probs;

    Compactor(int k, int d) {
      this.d = d;
      slots = new int[k];
      obs = new float[k * d];
      streams = new Rng[k];
      actions = new int[k];
      probs = new float[k];
    }

    void act(Policy policy, int[] episodeOfSlot, float[] allObs, Rng[] allStreams, int[] allActions, float[] allProbs) {
      int n = 0;
      for (int slot = 0; slot < episodeOfSlot.length; slot++) {
        if (episodeOfSlot[slot] >= 0) {
          System.arraycopy(allObs, slot * d, obs, n * d, d);
          streams[n] = allStreams[slot];
          slots[n++] = slot;
        }
      }
      policy.act(obs, n, streams, actions, probs);
      for (int i = 0; i < n; i++) {
        allActions[slots[i]] = actions[i];
        allProbs[slots[i]] = probs[i];
      }
    }
  }

  /**
   * Releases episodes to the sink in id order, holding the ones that finished early, until the released episodes
   * reach the step budget; later ones are dropped.
   */
  private static final class InOrder implements Consumer<Episode> {
    private final Consumer<Episode> sink;
    private final TreeMap<Long, Episode> waiting = new TreeMap<>();
    private final long budget;
    private long next;
    /** Written under the lock, read by every group between steps. */
    private volatile long released;

    InOrder(Consumer<Episode> sink, long firstId, long budget) {
      this.sink = sink;
      this.next = firstId;
      this.budget = budget;
    }

    @Override
    public synchronized void accept(Episode e) {
      waiting.put(e.id(), e);
      while (!budgetReached() && !waiting.isEmpty() && waiting.firstKey() == next) {
        Episode first = waiting.pollFirstEntry().getValue();
        sink.accept(first);
        released = released + first.length();
        next++;
      }
    }

    boolean budgetReached() {
      return released >= budget;
    }
  }
}
