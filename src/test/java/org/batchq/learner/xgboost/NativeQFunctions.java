package org.batchq.learner.xgboost;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;

/** A bundle's boosters predicting through XGBoost4J itself, for benchmarks outside this package. */
public final class NativeQFunctions {
  private NativeQFunctions() {}

  /** Predicting on {@code threads} threads per call (a loaded model's own setting is one). */
  public static QFunction load(Path bundle, TreeForm form, int observationSize, int actionCount, int threads)
      throws Exception {
    Map<String, byte[]> files = new HashMap<>();
    for (int b = 0; b < form.boosters(actionCount); b++) {
      files.put(form.fileName(b), Files.readAllBytes(bundle.resolve(form.fileName(b))));
    }
    BoosterQFunction q = BoosterQFunction.load(form, observationSize, actionCount, files);
    for (int b = 0; b < form.boosters(actionCount); b++) {
      q.booster(b).setParam("nthread", threads);
    }
    return q;
  }
}
