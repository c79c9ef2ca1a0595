package org.batchq.data;

import java.util.Arrays;
import java.util.List;
import org.batchq.env.EnvSpec;
import org.batchq.io.BadInputException;

/**
 * Logs with one row per step (the layout of event logs, of RLlib's and Minari's episodes, and of
 * {@code ../shared/reference/}) turned into transitions: each row's next observation is the observation of its
 * episode's next row in step order. An episode's last row is kept when it is terminated (nothing follows a
 * termination) or when a final row without an action follows it carrying the final observation; otherwise it has
 * no next observation and is dropped, and {@link Paired#dropped} counts it. Episodes never span files.
 */
final class StepLayout {
  /** Rows per batch handed to consumers. */
  private static final int BATCH = 65_536;

  /** The transitions of every file, each file's episodes contiguous and in step order. */
  record Paired(int observationSize, int[] file, float[] obs, float[] next, int[] action, float[] reward,
      boolean[] terminated, boolean[] truncated, long[] episode, int[] step, float[] prob, long dropped) {
    int rows() {
      return action.length;
    }
  }

  private StepLayout() {}

  static Paired pair(List<Dataset.Source> sources, EnvSpec env, ColumnMapping mapping) {
    int n = Math.toIntExact(sources.stream().mapToLong(Dataset.Source::rows).sum());
    int d = env.observationSize();
    float[] obs = new float[n * d];
    int[] file = new int[n];
    int[] action = new int[n];
    float[] reward = new float[n];
    boolean[] terminated = new boolean[n];
    boolean[] truncated = new boolean[n];
    long[] episode = new long[n];
    int[] step = new int[n];
    float[] prob = new float[n];
    int[] at = {0};
    for (int f = 0; f < sources.size(); f++) {
      new RowGroupReader(sources.get(f).file(), env, mapping).read(f, (fileIndex, b) -> {
        int base = at[0];
        b.copyObs(obs, base * d);
        for (int r = 0; r < b.rows(); r++) {
          file[base + r] = fileIndex;
          action[base + r] = b.action(r);
          reward[base + r] = b.reward(r);
          terminated[base + r] = b.terminated(r);
          truncated[base + r] = b.truncated(r);
          episode[base + r] = b.episodeId(r);
          step[base + r] = b.step(r);
          prob[base + r] = b.behaviorProb(r);
        }
        at[0] += b.rows();
      });
    }
    // Step order within each (file, episode); the rows' order in the files does not matter.
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (x, y) -> file[x] != file[y] ? Integer.compare(file[x], file[y])
        : episode[x] != episode[y] ? Long.compare(episode[x], episode[y]) : Integer.compare(step[x], step[y]));
    int[] kept = new int[n];
    int[] nextOf = new int[n];
    int m = 0;
    long dropped = 0;
    for (int k = 0; k < n; k++) {
      int i = order[k];
      boolean sameEpisode = k + 1 < n && file[order[k + 1]] == file[i] && episode[order[k + 1]] == episode[i];
      int j = sameEpisode ? order[k + 1] : -1;
      if (j >= 0 && step[j] == step[i]) {
        throw new BadInputException(sources.get(file[i]).file(), "episode " + episode[i] + " has two rows at step "
            + step[i]);
      }
      if (action[i] == TransitionBatch.FINAL_OBSERVATION) {
        continue; // the final observation of the row before it, or of nothing
      }
      if (j >= 0 && step[j] == step[i] + 1) {
        kept[m] = i;
        nextOf[m++] = j;
      } else if (terminated[i]) {
        kept[m] = i;
        nextOf[m++] = i; // a terminal row's next observation is never read: FQI does not bootstrap from it
      } else {
        dropped++;
      }
    }
    Paired p = new Paired(d, new int[m], new float[m * d], new float[m * d], new int[m], new float[m], new boolean[m],
        new boolean[m], new long[m], new int[m], new float[m], dropped);
    for (int k = 0; k < m; k++) {
      int i = kept[k];
      p.file()[k] = file[i];
      System.arraycopy(obs, i * d, p.obs(), k * d, d);
      System.arraycopy(obs, nextOf[k] * d, p.next(), k * d, d);
      p.action()[k] = action[i];
      p.reward()[k] = reward[i];
      p.terminated()[k] = terminated[i];
      p.truncated()[k] = truncated[i];
      p.episode()[k] = episode[i];
      p.step()[k] = step[i];
      p.prob()[k] = prob[i];
    }
    return p;
  }

  /** Hands the transitions out as batches, file by file. */
  static void emit(Paired p, Dataset.BatchConsumer consumer) {
    int d = p.observationSize();
    int from = 0;
    while (from < p.rows()) {
      int f = p.file()[from];
      int to = from;
      while (to < p.rows() && to - from < BATCH && p.file()[to] == f) {
        to++;
      }
      try (TransitionBatch b = new TransitionBatch(d, to - from)) {
        for (int k = from; k < to; k++) {
          int r = k - from;
          for (int c = 0; c < d; c++) {
            b.obsValues.setSafe(r * d + c, p.obs()[k * d + c]);
            b.nextObsValues.setSafe(r * d + c, p.next()[k * d + c]);
          }
          b.action.setSafe(r, p.action()[k]);
          b.reward.setSafe(r, p.reward()[k]);
          b.terminated.setSafe(r, p.terminated()[k] ? 1 : 0);
          b.truncated.setSafe(r, p.truncated()[k] ? 1 : 0);
          b.episodeId.setSafe(r, p.episode()[k]);
          b.step.setSafe(r, p.step()[k]);
          b.behaviorProb.setSafe(r, p.prob()[k]);
        }
        b.seal(to - from);
        consumer.accept(f, b);
      }
      from = to;
    }
  }
}
