package org.batchq.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.batchq.Version;
import org.batchq.data.Dataset;
import org.batchq.env.EnvSpec;
import org.batchq.env.Environments;
import org.batchq.fqi.FqiData;
import org.batchq.fqi.TrainingData;
import org.batchq.learner.Learners;
import org.batchq.learner.xgboost.ActionClassifier;
import org.batchq.learner.xgboost.ClassifierSettings;
import org.batchq.runtime.ActionProbabilities;
import org.batchq.runtime.ActionValues;

/**
 * Behaviour cloning ({@code fit --algorithm bc}): an action classifier fitted on every logged (state, action) and
 * saved as a bundle like FQI's models. Its action values are its probabilities, so {@code evaluate}, {@code
 * collect} and {@code ope} act on its most likely action.
 */
public final class BehaviorCloning {
  /** The bundle and how well the classifier fits its own training rows. */
  public record Outcome(Path bundle, int rows, long episodes, double accuracy, double logLoss, double seconds) {}

  private BehaviorCloning() {}

  public static Outcome fit(Dataset dataset, ClassifierSettings settings, Path out, boolean force) {
    long start = System.nanoTime();
    EnvSpec env = dataset.env();
    TrainingData decoded = TrainingData.read(dataset);
    FqiData data = decoded.all();
    double loadSeconds = (System.nanoTime() - start) / 1e9;
    try (ActionProbabilities classifier = ActionClassifier.fit(data.obs(), data.rows(), env.observationSize(),
        data.actions(), env.actionCount(), settings)) {
      double fitSeconds = (System.nanoTime() - start) / 1e9 - loadSeconds;
      float[] p = classifier.predict(data.obs(), data.rows());
      int a = env.actionCount();
      int[] likeliest = new int[data.rows()];
      ActionValues.argmax(p, data.rows(), a, likeliest);
      double hits = 0;
      double logLoss = 0;
      for (int i = 0; i < data.rows(); i++) {
        hits += likeliest[i] == data.actions()[i] ? 1 : 0;
        logLoss -= Math.log(Math.max(1e-15, p[i * a + data.actions()[i]]));
      }
      long episodes = decoded.episodeStarts().length - 1;
      Map<String, Object> training = new LinkedHashMap<>();
      training.put("train_rows", data.rows());
      training.put("episodes", episodes);
      training.put("train_accuracy", hits / data.rows());
      training.put("train_log_loss", logLoss / data.rows());
      training.put("engine", "local");
      Map<String, Object> run = FitManifest.run(FitManifest.dataPaths(dataset), loadSeconds, fitSeconds, fitSeconds);
      run.put("threads", settings.threads());
      Manifest manifest = new Manifest(Manifest.FORMAT, ModelBundle.FORMAT_VERSION, Learners.BEHAVIOR_CLONING, env.id(),
          Environments.plugin(env.id()), env.observationSize(), env.actionCount(), "obs", null, null, settings.seed(), settings.recorded(), null,
          FitManifest.dataFiles(dataset), training, Map.of("learner", settings.recorded()), null,
          Map.of("batchq", Version.BATCHQ, "xgboost4j", Version.XGBOOST), run);
      Path saved = ModelBundle.save(out, manifest, classifier, force);
      return new Outcome(saved, data.rows(), episodes, hits / data.rows(), logLoss / data.rows(),
          (System.nanoTime() - start) / 1e9);
    }
  }
}
