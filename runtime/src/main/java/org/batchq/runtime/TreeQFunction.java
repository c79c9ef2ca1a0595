package org.batchq.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * An XGBoost Q-function evaluated in plain Java from its JSON model files: no native library, no per-call cost.
 * It gives XGBoost's own predictions bit for bit ({@code TreeQFunctionTest}); how is {@link JsonTrees}'s.
 */
public final class TreeQFunction implements QFunction {
  private final TreeForm form;
  private final int observationSize;
  private final int actionCount;
  private final JsonTrees[] boosters;
  private final Map<String, byte[]> files;

  private TreeQFunction(TreeForm form, int observationSize, int actionCount, JsonTrees[] boosters,
      Map<String, byte[]> files) {
    this.form = form;
    this.observationSize = observationSize;
    this.actionCount = actionCount;
    this.boosters = boosters;
    this.files = files;
  }

  /** Reads the booster files of a bundle (XGBoost's JSON model format, 1.7 to 3.x). */
  public static TreeQFunction load(TreeForm form, int observationSize, int actionCount, Map<String, byte[]> files) {
    JsonTrees[] boosters = new JsonTrees[form.boosters(actionCount)];
    Map<String, byte[]> portable = new LinkedHashMap<>();
    for (int b = 0; b < boosters.length; b++) {
      String name = form.fileName(b);
      byte[] bytes = TreeForm.portable(form.file(files, b));
      portable.put(name, bytes);
      try {
        boosters[b] = JsonTrees.parse(bytes, "reg:squarederror");
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("booster file " + name + " is not a valid XGBoost model ("
            + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")", e);
      }
    }
    return new TreeQFunction(form, observationSize, actionCount, boosters, Collections.unmodifiableMap(portable));
  }

  @Override
  public int actionCount() {
    return actionCount;
  }

  /** Rows per parallel task: below it, one thread is faster than handing work over. */
  private static final int BLOCK = 32;

  @Override
  public float[] predict(float[] obs, int rows) {
    float[] out = new float[rows * actionCount];
    int blocks = (rows + BLOCK - 1) / BLOCK;
    // Each row's values depend on that row alone, so splitting rows across threads changes no bit of the output.
    IntStream range = IntStream.range(0, blocks);
    (blocks > 1 ? range.parallel() : range).forEach(b -> predict(obs, b * BLOCK, Math.min(rows, (b + 1) * BLOCK), out));
    return out;
  }

  private void predict(float[] obs, int from, int to, float[] out) {
    int d = observationSize;
    for (int i = from; i < to; i++) {
      if (form == TreeForm.SINGLE) {
        boosters[0].predictActions(obs, i * d, d, actionCount, 0, out, i * actionCount);
        continue;
      }
      for (int a = 0; a < actionCount; a++) {
        out[i * actionCount + a] = boosters[a].predict(obs, i * d, d, -1, 0);
      }
    }
  }

  @Override
  public Map<String, byte[]> export() {
    return files;
  }

  @Override
  public void close() {
    // plain Java arrays: nothing to free
  }
}
