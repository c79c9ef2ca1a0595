package org.batchq.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-head MLP Q-function evaluated in plain Java: standardise the observation, a ReLU trunk of linear layers,
 * then one linear head with an output per action. The weights are the file {@code q.safetensors}
 * (docs/model-format.md): {@code input.mean}, {@code input.std}, {@code trunk.N.weight} [out, in],
 * {@code trunk.N.bias} [out], {@code head.weight} [actions, in], {@code head.bias} [actions] (PyTorch's Linear layout).
 */
public final class MlpQFunction implements QFunction {
  public static final String FILE = "q.safetensors";
  /** The algorithm whose bundles hold it. */
  public static final String ALGORITHM = "neural";

  private final float[] mean;
  private final float[] std;
  /** Layers in order, the last being the head: weights [out][in] row-major, biases [out]. */
  private final List<float[]> weights;
  private final List<float[]> biases;
  private final int[] widths; // input size, then each layer's output size

  public MlpQFunction(float[] mean, float[] std, List<float[]> weights, List<float[]> biases) {
    this.mean = mean;
    this.std = std;
    this.weights = List.copyOf(weights);
    this.biases = List.copyOf(biases);
    widths = new int[biases.size() + 1];
    widths[0] = mean.length;
    for (int l = 0; l < biases.size(); l++) {
      widths[l + 1] = biases.get(l).length;
      if (weights.get(l).length != widths[l + 1] * widths[l]) {
        throw new IllegalArgumentException("layer " + l + " weight has " + weights.get(l).length + " values, expected "
            + widths[l + 1] + " x " + widths[l]);
      }
    }
  }

  @Override
  public int actionCount() {
    return widths[widths.length - 1];
  }

  /** One forward pass for all rows. */
  @Override
  public float[] predict(float[] obs, int rows) {
    int d = widths[0];
    int maxWidth = java.util.Arrays.stream(widths).max().orElse(d);
    float[] out = new float[rows * actionCount()];
    float[] a = new float[maxWidth];
    float[] b = new float[maxWidth];
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < d; k++) {
        a[k] = (obs[r * d + k] - mean[k]) / std[k];
      }
      for (int l = 0; l < biases.size(); l++) {
        float[] w = weights.get(l);
        float[] bias = biases.get(l);
        int in = widths[l];
        boolean last = l == biases.size() - 1;
        for (int o = 0; o < widths[l + 1]; o++) {
          float s = bias[o];
          for (int i = 0; i < in; i++) {
            s += w[o * in + i] * a[i];
          }
          b[o] = last || s > 0 ? s : 0;
        }
        float[] t = a;
        a = b;
        b = t;
      }
      System.arraycopy(a, 0, out, r * actionCount(), actionCount());
    }
    return out;
  }

  @Override
  public Map<String, byte[]> export() {
    Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
    t.put("input.mean", new SafeTensors.Tensor(new int[] {mean.length}, mean));
    t.put("input.std", new SafeTensors.Tensor(new int[] {std.length}, std));
    for (int l = 0; l < biases.size(); l++) {
      String name = l == biases.size() - 1 ? "head" : "trunk." + l;
      t.put(name + ".weight", new SafeTensors.Tensor(new int[] {widths[l + 1], widths[l]}, weights.get(l)));
      t.put(name + ".bias", new SafeTensors.Tensor(new int[] {widths[l + 1]}, biases.get(l)));
    }
    return Map.of(FILE, SafeTensors.write(t, Map.of("format", "batchq-mlp", "activation", "relu")));
  }

  public static MlpQFunction load(Map<String, byte[]> files) {
    byte[] bytes = files.get(FILE);
    if (bytes == null) {
      throw new IllegalArgumentException("missing weight file " + FILE);
    }
    Map<String, SafeTensors.Tensor> t = SafeTensors.read(bytes);
    List<float[]> w = new java.util.ArrayList<>();
    List<float[]> b = new java.util.ArrayList<>();
    for (int l = 0; t.containsKey("trunk." + l + ".weight"); l++) {
      w.add(t.get("trunk." + l + ".weight").values());
      b.add(t.get("trunk." + l + ".bias").values());
    }
    if (!t.containsKey("head.weight") || !t.containsKey("input.mean")) {
      throw new IllegalArgumentException(FILE + " lacks head.weight or input.mean");
    }
    w.add(t.get("head.weight").values());
    b.add(t.get("head.bias").values());
    return new MlpQFunction(t.get("input.mean").values(), t.get("input.std").values(), w, b);
  }

  @Override
  public void close() {
    // plain Java arrays: nothing to free
  }
}
