package org.batchq.learner.xgboost;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;

/** A bundle's boosters predicting through XGBoost4J itself (one thread per call), for benchmarks outside this package. */
public final class NativeQFunctions {
  private NativeQFunctions() {}

  public static QFunction load(Path bundle, TreeForm form, int observationSize, int actionCount) throws Exception {
    Map<String, byte[]> files = new HashMap<>();
    for (int b = 0; b < form.boosters(actionCount); b++) {
      files.put(form.fileName(b), Files.readAllBytes(bundle.resolve(form.fileName(b))));
    }
    return BoosterQFunction.load(form, observationSize, actionCount, files);
  }
}
