package org.batchq.learner.neural;

import java.util.List;
import org.batchq.io.InvalidSettingException;
import org.batchq.learner.LearnerSettings;
import org.batchq.learner.Regressor;
import org.batchq.runtime.QFunction;

/**
 * The settings of the neural learner (a multi-head MLP, {@link NeuralRegressor}).
 *
 * @param hidden trunk layer widths
 * @param steps gradient steps (minibatches) per FQI iteration
 * @param restart re-initialise the network every iteration (NFQ) instead of continuing from the last (DQN-style)
 */
public record NeuralSettings(List<Integer> hidden, int steps, int batchSize, double learningRate, boolean restart,
    long seed) implements LearnerSettings {
  public NeuralSettings {
    hidden = List.copyOf(hidden);
    if (hidden.isEmpty() || hidden.stream().anyMatch(h -> h < 1)) {
      throw new InvalidSettingException("learner.hidden must list at least one layer width, each at least 1 (got "
          + hidden + ")", "learner.hidden");
    }
    InvalidSettingException.atLeast("learner.steps", steps, 1);
    InvalidSettingException.atLeast("learner.batch_size", batchSize, 1);
    InvalidSettingException.in("learner.learning_rate", learningRate, 0, false, Double.POSITIVE_INFINITY, false);
  }

  /** The defaults of {@code fit --algorithm neural}: NFQ's restart, a 64-64 ReLU trunk, Adam at 1e-3. */
  public static NeuralSettings defaults(long seed) {
    return new NeuralSettings(List.of(64, 64), 900, 256, 0.001, true, seed);
  }

  @Override
  public String algorithm() {
    return "neural";
  }

  /** PyTorch runs single-threaded here: float reductions in other thread counts would change the weights. */
  @Override
  public int threads() {
    return 1;
  }

  @Override
  public NeuralSettings withThreads(int threads) {
    return this;
  }

  @Override
  public NeuralSettings withSeed(long s) {
    return new NeuralSettings(hidden, steps, batchSize, learningRate, restart, s);
  }

  @Override
  public QFunction mean(List<QFunction> members, int observationSize, int actionCount) {
    throw new InvalidSettingException("ensemble is available for the tree algorithms (single, multiple), not neural",
        "ensemble");
  }

  @Override
  public Regressor create(int observationSize, int actionCount) {
    return new NeuralRegressor(this, observationSize, actionCount);
  }

  /** PyTorch's native library, through DJL: a second or more the first time. */
  @Override
  public void prepare() {
    NeuralRegressor.loadEngine();
  }
}
