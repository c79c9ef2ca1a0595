package org.batchq.fqi;

import org.batchq.data.Dataset;
import org.batchq.env.Rng;
import org.batchq.learner.UnusableDataException;

/**
 * Loads a dataset into FQI's arrays and splits it by episode into training and validation parts.
 *
 * <p>An episode is (file, episode_id). Files without an episode column are cut into contiguous blocks that end at
 * each terminated or truncated row (and at file ends): whole episodes when the log flags its endings. Which
 * episodes are held out depends only on the seed and the episode's identity, never on file order or threads.
 */
public final class TrainingData {
  private static final long SPLIT_STREAM = 7;

  /** @param valid null when the validation fraction is 0 or no episode was held out */
  public record Split(FqiData train, FqiData valid, long episodes, long validEpisodes) {}

  private TrainingData() {}

  public static Split load(Dataset dataset, double validationFraction, long seed) {
    int d = dataset.env().observationSize();
    int n = Math.toIntExact(dataset.rows());
    float[] obs = new float[n * d];
    float[] nextObs = new float[n * d];
    int[] actions = new int[n];
    float[] rewards = new float[n];
    boolean[] terminal = new boolean[n];
    boolean[] initial = new boolean[n];
    boolean[] held = new boolean[n];
    long[] episodes = {0, 0};
    int[] at = {0};
    long[] last = {Long.MIN_VALUE, -1, 0}; // episode id, file, "previous row ended an episode" (1) or not
    long[] block = {0};
    dataset.forEachBatch((file, b) -> {
      int base = at[0];
      b.copyObs(obs, base * d);
      b.copyNextObs(nextObs, base * d);
      for (int r = 0; r < b.rows(); r++) {
        int i = base + r;
        actions[i] = b.action(r);
        rewards[i] = b.reward(r);
        terminal[i] = b.terminated(r);
        long id = b.episodeId(r);
        boolean known = id >= 0;
        boolean newEpisode = file != last[1] || (known ? id != last[0] : last[2] == 1);
        if (newEpisode) {
          episodes[0]++;
          block[0]++;
        }
        initial[i] = b.step(r) >= 0 ? b.step(r) == 0 : newEpisode;
        long key = known ? id : block[0];
        held[i] = validationFraction > 0 && Rng.derive(seed, SPLIT_STREAM, file, key).nextDouble() < validationFraction;
        if (held[i] && newEpisode) {
          episodes[1]++;
        }
        last[0] = id;
        last[1] = file;
        last[2] = b.terminated(r) || b.truncated(r) ? 1 : 0;
      }
      at[0] += b.rows();
    });
    if (n == 0) {
      throw new UnusableDataException("the dataset holds no transitions");
    }
    int validRows = 0;
    for (boolean h : held) {
      validRows += h ? 1 : 0;
    }
    if (validRows == n) {
      // Every episode drawn for validation (a tiny dataset): train on all of it rather than on nothing.
      java.util.Arrays.fill(held, false);
      validRows = 0;
      episodes[1] = 0;
    }
    int actionCount = dataset.env().actionCount();
    FqiData train = subset(false, held, n - validRows, d, actionCount, obs, actions, rewards, nextObs, terminal, initial);
    FqiData valid = validRows == 0 ? null
        : subset(true, held, validRows, d, actionCount, obs, actions, rewards, nextObs, terminal, initial);
    return new Split(train, valid, episodes[0], episodes[1]);
  }

  private static FqiData subset(boolean which, boolean[] held, int rows, int d, int actionCount, float[] obs,
      int[] actions, float[] rewards, float[] nextObs, boolean[] terminal, boolean[] initial) {
    if (rows == held.length) {
      return new FqiData(rows, d, actionCount, obs, actions, rewards, nextObs, terminal, indices(initial, held, which));
    }
    float[] o = new float[rows * d];
    float[] no = new float[rows * d];
    int[] a = new int[rows];
    float[] r = new float[rows];
    boolean[] t = new boolean[rows];
    boolean[] init = new boolean[rows];
    int j = 0;
    for (int i = 0; i < held.length; i++) {
      if (held[i] == which) {
        System.arraycopy(obs, i * d, o, j * d, d);
        System.arraycopy(nextObs, i * d, no, j * d, d);
        a[j] = actions[i];
        r[j] = rewards[i];
        t[j] = terminal[i];
        init[j] = initial[i];
        j++;
      }
    }
    return new FqiData(rows, d, actionCount, o, a, r, no, t, indices(init, null, true));
  }

  private static int[] indices(boolean[] flags, boolean[] held, boolean which) {
    return java.util.stream.IntStream.range(0, flags.length)
        .filter(i -> flags[i] && (held == null || held[i] == which))
        .toArray();
  }
}
