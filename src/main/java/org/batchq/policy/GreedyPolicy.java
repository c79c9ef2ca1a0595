package org.batchq.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.batchq.env.Rng;
import org.batchq.io.Json;
import org.batchq.model.ModelBundle;
import org.batchq.runtime.ActionValues;

/**
 * Acts greedily on a model's Q-values: one batched prediction for all rows, argmax per row, ties broken towards
 * the lowest action index. Also the entry point for JVM services (docs/java-api.md):
 *
 * <pre>{@code
 * try (GreedyPolicy policy = GreedyPolicy.load(Path.of("models/m1"))) {
 *   int[] actions = policy.act(observations, rows);
 * }
 * }</pre>
 */
public final class GreedyPolicy implements Policy, AutoCloseable {
  private final ModelBundle.Loaded model;

  public GreedyPolicy(ModelBundle.Loaded model) {
    this.model = model;
  }

  /** Loads and verifies a model bundle (a directory written by {@code batchq fit}). */
  public static GreedyPolicy load(Path bundle) {
    return new GreedyPolicy(ModelBundle.load(bundle));
  }

  /** This policy acting through compiled trees ({@link ModelBundle.Loaded#withCompiledTrees}): the same actions. */
  public GreedyPolicy withCompiledTrees() {
    return new GreedyPolicy(model.withCompiledTrees());
  }

  public ModelBundle.Loaded model() {
    return model;
  }

  /** Number of values in one observation. */
  public int observationSize() {
    return model.manifest().observationSize();
  }

  /** Q(s, a) for {@code rows} observations (row-major), row-major rows x actions. */
  public float[] qValues(float[] obs, int rows) {
    return model.q().predict(obs, rows);
  }

  /** The greedy action for each of {@code rows} observations (row-major). */
  public int[] act(float[] obs, int rows) {
    int[] actions = new int[rows];
    ActionValues.argmax(qValues(obs, rows), rows, model.q().actionCount(), actions);
    return actions;
  }

  @Override
  public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
    ActionValues.argmax(qValues(obs, rows), rows, model.q().actionCount(), actions);
    java.util.Arrays.fill(probabilities, 0, rows, 1f);
  }

  @Override
  public void distribution(float[] obs, int rows, float[] out) {
    Policy.oneHot(act(obs, rows), rows, actionCount(), out);
  }

  /** Number of actions. */
  public int actionCount() {
    return model.q().actionCount();
  }

  @Override
  public String describe() {
    return describe("greedy").toString();
  }

  /**
   * This policy as a JSON object of {@code type}: the model by its directory's name and its content hash, never by
   * its path or its manifest's hash (which holds run facts), so a dataset's bytes depend only on the model's content.
   */
  ObjectNode describe(String type) {
    ObjectNode o = Json.MAPPER.createObjectNode().put("type", type);
    o.put("model", model.name());
    o.put("model_sha256", model.manifest().contentSha256());
    return o;
  }

  @Override
  public void close() {
    model.close();
  }
}
