package org.batchq.fqi;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.batchq.data.Dataset;
import org.batchq.env.Rng;
import org.batchq.io.BadInputException;
import org.batchq.learner.UnusableDataException;

/**
 * A dataset decoded once into FQI's arrays, and split by episode into training and validation parts as often as
 * needed (an ensemble's members each hold out their own episodes of the same decoded rows).
 *
 * <p>An episode is (file, episode_id). Files without an episode column are cut into contiguous blocks that end at
 * each terminated or truncated row (and at file ends): whole episodes when the log flags its endings. Which
 * episodes are held out depends only on the seed and the episode's identity ({@link #heldOut}), never on file order
 * or threads; the Spark engine uses the same rule.
 */
public final class TrainingData {
  private static final long SPLIT_STREAM = 7;

  /** @param valid null when the validation fraction is 0 or no episode was held out */
  public record Split(FqiData train, FqiData valid, long episodes, long validEpisodes) {}

  private final int rows;
  private final int observationSize;
  private final int actionCount;
  private final float[] obs;
  private final float[] nextObs;
  private final int[] actions;
  private final float[] rewards;
  private final boolean[] terminal;
  private final boolean[] initial;
  private final float[] behaviorProbs; // null when the log has none
  private final int[] file; // each row's episode: (file, key)
  private final long[] key;
  private final boolean[] startsEpisode;
  private final long episodes;

  private TrainingData(Dataset dataset) {
    observationSize = dataset.env().observationSize();
    actionCount = dataset.env().actionCount();
    rows = Math.toIntExact(dataset.rows());
    int d = observationSize;
    obs = new float[rows * d];
    nextObs = new float[rows * d];
    actions = new int[rows];
    rewards = new float[rows];
    terminal = new boolean[rows];
    initial = new boolean[rows];
    float[] probs = new float[rows];
    file = new int[rows];
    key = new long[rows];
    startsEpisode = new boolean[rows];
    int[] at = {0};
    long[] last = {Long.MIN_VALUE, -1, 0}; // episode id, file, "previous row ended an episode" (1) or not
    long[] block = {0};
    dataset.forEachBatch((f, b) -> {
      int base = at[0];
      b.copyObs(obs, base * d);
      b.copyNextObs(nextObs, base * d);
      for (int r = 0; r < b.rows(); r++) {
        int i = base + r;
        actions[i] = b.action(r);
        rewards[i] = b.reward(r);
        terminal[i] = b.terminated(r);
        probs[i] = b.behaviorProb(r);
        long id = b.episodeId(r);
        boolean known = id >= 0;
        boolean newEpisode = f != last[1] || (known ? id != last[0] : last[2] == 1);
        if (newEpisode) {
          block[0]++;
        }
        startsEpisode[i] = newEpisode;
        initial[i] = b.step(r) >= 0 ? b.step(r) == 0 : newEpisode;
        file[i] = f;
        key[i] = known ? id : block[0];
        last[0] = id;
        last[1] = f;
        last[2] = b.terminated(r) || b.truncated(r) ? 1 : 0;
      }
      at[0] += b.rows();
    });
    if (rows == 0) {
      throw new UnusableDataException("the dataset holds no transitions");
    }
    // A log without the column reads as NaN throughout: then there are no behaviour probabilities to carry.
    behaviorProbs = IntStream.range(0, rows).allMatch(i -> Float.isNaN(probs[i])) ? null : probs;
    episodes = IntStream.range(0, rows).filter(i -> startsEpisode[i]).count();
  }

  /** Reads every row of {@code dataset} once. */
  public static TrainingData decode(Dataset dataset) {
    return new TrainingData(dataset);
  }

  /** The same, with data that cannot be used (no rows, say) refused as bad input naming the files. */
  public static TrainingData read(Dataset dataset) {
    try {
      return decode(dataset);
    } catch (UnusableDataException e) {
      throw new BadInputException(dataset.describe(), e.getMessage());
    }
  }

  /** Whether the episode {@code key} of input file {@code file} is held out for validation under {@code seed}. */
  public static boolean heldOut(long seed, int file, long key, double validationFraction) {
    return validationFraction > 0 && Rng.derive(seed, SPLIT_STREAM, file, key).nextDouble() < validationFraction;
  }

  /** Every row, none held out. */
  public FqiData all() {
    return subset(false, new boolean[rows], rows);
  }

  /**
   * Where each episode's rows begin, in row order, with {@code rows} appended: episode e is rows [starts[e],
   * starts[e + 1]), in step order (an episode's rows are contiguous in the files, as batchq writes them).
   */
  public int[] episodeStarts() {
    return IntStream.concat(IntStream.range(0, rows).filter(i -> startsEpisode[i]), IntStream.of(rows)).toArray();
  }

  /** The rows split by episode: about {@code validationFraction} of the episodes held out, drawn by {@code seed}. */
  public Split split(double validationFraction, long seed) {
    boolean[] held = new boolean[rows];
    int validRows = 0;
    long validEpisodes = 0;
    for (int i = 0; i < rows; i++) {
      held[i] = heldOut(seed, file[i], key[i], validationFraction);
      validRows += held[i] ? 1 : 0;
      validEpisodes += held[i] && startsEpisode[i] ? 1 : 0;
    }
    if (validRows == rows) {
      // Every episode drawn for validation (a tiny dataset): train on all of it rather than on nothing.
      Arrays.fill(held, false);
      validRows = 0;
      validEpisodes = 0;
    }
    FqiData train = subset(false, held, rows - validRows);
    FqiData valid = validRows == 0 ? null : subset(true, held, validRows);
    return new Split(train, valid, episodes, validEpisodes);
  }

  private FqiData subset(boolean which, boolean[] held, int n) {
    int d = observationSize;
    if (n == rows) {
      return new FqiData(n, d, actionCount, obs, actions, rewards, nextObs, terminal, indices(initial, held, which),
          behaviorProbs, Backup.MAX);
    }
    float[] o = new float[n * d];
    float[] no = new float[n * d];
    int[] a = new int[n];
    float[] r = new float[n];
    boolean[] t = new boolean[n];
    boolean[] init = new boolean[n];
    float[] p = behaviorProbs == null ? null : new float[n];
    int j = 0;
    for (int i = 0; i < rows; i++) {
      if (held[i] == which) {
        System.arraycopy(obs, i * d, o, j * d, d);
        System.arraycopy(nextObs, i * d, no, j * d, d);
        a[j] = actions[i];
        r[j] = rewards[i];
        t[j] = terminal[i];
        init[j] = initial[i];
        if (p != null) {
          p[j] = behaviorProbs[i];
        }
        j++;
      }
    }
    return new FqiData(n, d, actionCount, o, a, r, no, t, indices(init, null, true), p, Backup.MAX);
  }

  private static int[] indices(boolean[] flags, boolean[] held, boolean which) {
    return IntStream.range(0, flags.length)
        .filter(i -> flags[i] && (held == null || held[i] == which))
        .toArray();
  }
}
