package org.batchq.cli;

import java.util.List;
import org.batchq.learner.neural.NeuralRegressor;
import org.batchq.fqi.RewardTransform;
import org.batchq.learner.xgboost.XgboostRegressor;
import org.batchq.model.Training;
import picocli.CommandLine.Option;

/** The FQI and XGBoost options shared by {@code fit} and {@code run} (docs/fit.md). */
public final class FitOptions {
  @Option(names = "--algorithm", defaultValue = "single",
      description = "single (one booster on obs + one-hot action, default), multiple (one booster per action) or neural (a multi-head MLP).")
  String algorithm;

  @Option(names = "--iterations", defaultValue = "50", description = "FQI iterations (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--gamma", defaultValue = "0.99", description = "Discount factor in [0, 1) (default: ${DEFAULT-VALUE}).")
  double gamma;

  @Option(names = "--validation-fraction", defaultValue = "0.1",
      description = "Share of episodes held out for the Bellman residual; 0 disables (default: ${DEFAULT-VALUE}).")
  double validationFraction;

  @Option(names = "--trees", defaultValue = "100",
      description = "Boosting rounds (trees) per booster per FQI iteration (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--max-depth", defaultValue = "6", description = "Tree depth (default: ${DEFAULT-VALUE}).")
  int maxDepth;

  @Option(names = "--eta", defaultValue = "0.3", description = "Learning rate (default: ${DEFAULT-VALUE}).")
  double eta;

  @Option(names = "--min-child-weight", defaultValue = "1", description = "Minimum hessian per leaf (default: ${DEFAULT-VALUE}).")
  double minChildWeight;

  @Option(names = "--subsample", defaultValue = "1", description = "Row subsampling per tree (default: ${DEFAULT-VALUE}).")
  double subsample;

  @Option(names = "--colsample", defaultValue = "1", description = "Feature subsampling per split (default: ${DEFAULT-VALUE}).")
  double colsample;

  @Option(names = "--parallel-trees", defaultValue = "1",
      description = "Trees per round; > 1 with subsampling trains random forests (default: ${DEFAULT-VALUE}).")
  int parallelTrees;

  @Option(names = "--max-bin", defaultValue = "256", description = "Histogram bins per feature (default: ${DEFAULT-VALUE}).")
  int maxBin;

  @Option(names = "--reward", defaultValue = "none",
      description = "Reward transform: none (default) or failure (0 per step, -1 on termination).")
  RewardTransform reward;

  @Option(names = "--ensemble", defaultValue = "1",
      description = "Fits averaged into the model, each holding out its own episodes (bagging); member m is the fit"
          + " with seed + m (default: ${DEFAULT-VALUE}).")
  int ensemble;

  @Option(names = "--clip-targets",
      description = "Keep FQI targets within [min(0, r_min), max(0, r_max)] / (1 - gamma), where every return lies.")
  boolean clipTargets;

  @Option(names = "--average-iterates", paramLabel = "M",
      description = "Bootstrap each FQI target from, and save, the mean of the last M iterates (trees only;"
          + " default: 1, plain FQI; run --algorithm multiple: 5).")
  Integer averageIterates;

  @Option(names = "--warm-start", description = "Continue each iteration's boosters from the previous iteration's.")
  boolean warmStart;

  @Option(names = "--threads", description = "XGBoost threads (default: all cores). Results do not depend on it.")
  Integer threads;

  @Option(names = "--hidden", split = ",", defaultValue = "64,64",
      description = "neural: trunk layer widths (default: ${DEFAULT-VALUE}).")
  List<Integer> hidden;

  @Option(names = "--nn-steps", defaultValue = "900",
      description = "neural: gradient steps per FQI iteration (default: ${DEFAULT-VALUE}).")
  int nnSteps;

  @Option(names = "--batch-size", defaultValue = "256", description = "neural: minibatch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "0.001",
      description = "neural: Adam learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--nn-continue",
      description = "neural: continue each FQI iteration from the previous network (DQN-style) instead of"
          + " re-initialising it (NFQ, the default).")
  boolean nnContinue;

  /** Whether --threads was given (engines that choose their own parallelism refuse it). */
  public boolean threadsGiven() {
    return threads != null;
  }

  /** The training configuration these options describe; usage errors are IllegalArgumentExceptions. */
  public Training.Config config(long seed) {
    return config(seed, 1);
  }

  /** The same, where a command's own default for --average-iterates applies when it is not given. */
  public Training.Config config(long seed, int defaultAverageIterates) {
    int averageIterates = this.averageIterates != null ? this.averageIterates : defaultAverageIterates;
    if ("neural".equals(algorithm)) {
      return new Training.Config(iterations, gamma, validationFraction, reward,
          new NeuralRegressor.Settings(hidden, nnSteps, batchSize, learningRate, !nnContinue, seed), ensemble,
          clipTargets, averageIterates);
    }
    if (!"multiple".equals(algorithm) && !"single".equals(algorithm)) {
      throw new IllegalArgumentException("unknown --algorithm '" + algorithm + "' (known: multiple, single, neural)");
    }
    if (rounds < 1 || maxDepth < 1 || parallelTrees < 1 || maxBin < 2) {
      throw new IllegalArgumentException("--trees, --max-depth and --parallel-trees must be at least 1, --max-bin at least 2");
    }
    if (!(eta > 0 && eta <= 1) || !(subsample > 0 && subsample <= 1) || !(colsample > 0 && colsample <= 1)) {
      throw new IllegalArgumentException("--eta, --subsample and --colsample must be in (0, 1]");
    }
    if (threads != null && threads < 1) {
      throw new IllegalArgumentException("--threads must be at least 1");
    }
    XgboostRegressor.Settings trees = new XgboostRegressor.Settings(
        "single".equals(algorithm) ? XgboostRegressor.Form.SINGLE : XgboostRegressor.Form.MULTIPLE, rounds, maxDepth,
        eta, minChildWeight, subsample, colsample, parallelTrees, maxBin,
        threads != null ? threads : Runtime.getRuntime().availableProcessors(), seed, warmStart);
    return new Training.Config(iterations, gamma, validationFraction, reward, trees, ensemble, clipTargets,
        averageIterates);
  }
}
