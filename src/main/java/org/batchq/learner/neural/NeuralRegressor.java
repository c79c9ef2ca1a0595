package org.batchq.learner.neural;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.batchq.env.Rng;
import org.batchq.learner.Regressor;
import org.batchq.runtime.MlpQFunction;
import org.batchq.runtime.QFunction;

/**
 * A multi-head MLP trained with DJL (PyTorch, CPU) as the FQI regressor: a shared ReLU trunk and one output per
 * action, fitted with the squared error taken only on the head of the action each row took (masked regression).
 * Inputs are standardised with the training data's mean and standard deviation. This is the only class in batchq
 * that touches DJL; the Q-function it returns ({@link MlpQFunction}) runs in plain Java.
 */
public final class NeuralRegressor implements Regressor {
  /** Where DJL unpacks the PyTorch native library (about 430 MB, once): docs/fit.md. */
  public static Path cacheDir() {
    String configured = System.getenv("DJL_CACHE_DIR");
    return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".batchq", "djl");
  }

  private static synchronized void configureDjl() {
    // Offline, CPU, from the native library in the Maven classifier jar; never downloads anything.
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("PYTORCH_FLAVOR", "cpu");
    System.setProperty("DJL_CACHE_DIR", cacheDir().toString());
    System.setProperty("ai.djl.pytorch.num_threads", "1");
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
  }

  /** Configured as every network is, then loaded: {@link NeuralSettings#prepare}. */
  static void loadEngine() {
    configureDjl();
    Engine.getEngine("PyTorch");
  }

  private final NeuralSettings settings;
  private final int observationSize;
  private final int actionCount;
  private final Rng shuffle;
  private float[] mean;
  private float[] std;
  private Model model;
  private Trainer trainer;
  private MlpQFunction latest;

  NeuralRegressor(NeuralSettings settings, int observationSize, int actionCount) {
    configureDjl();
    this.settings = settings;
    this.observationSize = observationSize;
    this.actionCount = actionCount;
    this.shuffle = Rng.derive(settings.seed(), 11);
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("architecture", Map.of("hidden", settings.hidden(), "activation", "relu", "heads", actionCount,
        "input", "standardised obs"));
    s.put("steps_per_iteration", settings.steps());
    s.put("batch_size", settings.batchSize());
    s.put("learning_rate", settings.learningRate());
    s.put("optimizer", "adam");
    s.put("restart_each_iteration", settings.restart());
    s.put("engine", "DJL PyTorch (CPU, 1 thread)");
    return s;
  }

  private record States(float[] obs, int rows) implements StateSet {}

  @Override
  public StateSet states(float[] obs, int rows) {
    return new States(obs, rows);
  }

  /** Networks are not averaged: {@code fit} refuses --ensemble and --average-iterates for neural. */
  @Override
  public QFunction mean(List<QFunction> members) {
    throw new UnsupportedOperationException("averaging is available for the tree algorithms, not neural");
  }

  @Override
  public QFunction fit(StateSet states, int[] actions, float[] targets, QFunction previous) {
    States s = (States) states;
    if (mean == null) {
      standardisation(s);
    }
    if (trainer == null || settings.restart()) {
      newNetwork();
    }
    int n = s.rows();
    int b = Math.min(settings.batchSize(), n);
    int[] order = permutation(n);
    int next = 0;
    float[] x = new float[b * observationSize];
    float[] mask = new float[b * actionCount];
    float[] y = new float[b];
    for (int step = 0; step < settings.steps(); step++) {
      java.util.Arrays.fill(mask, 0f);
      for (int j = 0; j < b; j++) {
        if (next == n) {
          order = permutation(n);
          next = 0;
        }
        int i = order[next++];
        standardise(s.obs(), i, x, j);
        mask[j * actionCount + actions[i]] = 1f; // the loss sees only the head of the action taken
        y[j] = targets[i];
      }
      try (NDManager batch = trainer.getManager().newSubManager()) {
        NDArray input = batch.create(x, new Shape(b, observationSize));
        NDArray m = batch.create(mask, new Shape(b, actionCount));
        NDArray target = batch.create(y, new Shape(b));
        try (GradientCollector gc = trainer.newGradientCollector()) {
          NDArray q = trainer.forward(new NDList(input)).singletonOrThrow();
          NDArray loss = q.mul(m).sum(new int[] {1}).sub(target).square().mean();
          gc.backward(loss);
        }
        trainer.step();
      }
    }
    latest = snapshot();
    return latest;
  }

  @Override
  public float[] predict(QFunction q, StateSet states) {
    States s = (States) states;
    if (q != latest) {
      return q.predict(s.obs(), s.rows());
    }
    // The network in memory is this Q-function: one batched PyTorch forward pass per chunk of rows.
    float[] out = new float[s.rows() * actionCount];
    int chunk = 65_536;
    float[] x = new float[chunk * observationSize];
    for (int start = 0; start < s.rows(); start += chunk) {
      int rows = Math.min(chunk, s.rows() - start);
      for (int j = 0; j < rows; j++) {
        standardise(s.obs(), start + j, x, j);
      }
      try (NDManager sub = trainer.getManager().newSubManager()) {
        NDArray input = sub.create(java.util.Arrays.copyOf(x, rows * observationSize), new Shape(rows, observationSize));
        float[] q2 = trainer.evaluate(new NDList(input)).singletonOrThrow().toFloatArray();
        System.arraycopy(q2, 0, out, start * actionCount, rows * actionCount);
      }
    }
    return out;
  }

  private void standardisation(States s) {
    mean = new float[observationSize];
    std = new float[observationSize];
    double[] sum = new double[observationSize];
    double[] sq = new double[observationSize];
    for (int i = 0; i < s.rows(); i++) {
      for (int k = 0; k < observationSize; k++) {
        double v = s.obs()[i * observationSize + k];
        sum[k] += v;
        sq[k] += v * v;
      }
    }
    for (int k = 0; k < observationSize; k++) {
      double m = sum[k] / s.rows();
      mean[k] = (float) m;
      std[k] = (float) Math.max(Math.sqrt(Math.max(sq[k] / s.rows() - m * m, 0)), 1e-6);
    }
  }

  private void standardise(float[] obs, int row, float[] out, int at) {
    for (int k = 0; k < observationSize; k++) {
      out[at * observationSize + k] = (obs[row * observationSize + k] - mean[k]) / std[k];
    }
  }

  private int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = shuffle.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private void newNetwork() {
    closeNetwork();
    Engine engine = Engine.getEngine("PyTorch");
    engine.setRandomSeed((int) (shuffle.nextLong() & 0x7fffffff));
    SequentialBlock block = new SequentialBlock();
    for (int h : settings.hidden()) {
      block.add(Linear.builder().setUnits(h).build());
      block.add(Activation.reluBlock());
    }
    block.add(Linear.builder().setUnits(actionCount).build());
    model = Model.newInstance("q", Device.cpu(), "PyTorch");
    model.setBlock(block);
    trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss())
        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) settings.learningRate())).build())
        .optDevices(new Device[] {Device.cpu()}));
    trainer.initialize(new Shape(1, observationSize));
  }

  /** The current weights as a plain-Java Q-function. */
  private MlpQFunction snapshot() {
    List<float[]> weights = new ArrayList<>();
    List<float[]> biases = new ArrayList<>();
    for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
      float[] values = p.getValue().getArray().toFloatArray();
      if (p.getKey().endsWith("weight")) {
        weights.add(values);
      } else {
        biases.add(values);
      }
    }
    return new MlpQFunction(mean.clone(), std.clone(), weights, biases);
  }

  private void closeNetwork() {
    if (trainer != null) {
      trainer.close();
      model.close();
      trainer = null;
    }
  }

  @Override
  public void close() {
    closeNetwork();
  }
}
