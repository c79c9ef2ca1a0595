package org.batchq.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.batchq.env.EnvSpec;
import org.batchq.env.Environments;
import org.batchq.env.Plugin;
import org.batchq.io.BadInputException;

/**
 * The facts a dataset records in its Parquet key-value metadata. Files written by other tools have none of it;
 * then the environment comes from the user ({@code --env}), or the files are a log of a system without a simulator
 * whose spaces come from the data.
 *
 * @param behaviorPolicy the behaviour policy as JSON, e.g. {@code {"type":"random"}}
 * @param envPlugin the plugin the environment came from; null for a built-in environment
 */
public record DatasetMetadata(
    int formatVersion, String envId, int observationSize, int actionCount, String behaviorPolicy, long seed,
    String batchqVersion, Plugin envPlugin) {

  static final String PREFIX = "batchq.";

  public Map<String, String> toKeyValues() {
    Map<String, String> kv = new LinkedHashMap<>();
    kv.put(PREFIX + "format_version", Integer.toString(formatVersion));
    kv.put(PREFIX + "env_id", envId);
    kv.put(PREFIX + "observation_size", Integer.toString(observationSize));
    kv.put(PREFIX + "action_count", Integer.toString(actionCount));
    kv.put(PREFIX + "behavior_policy", behaviorPolicy);
    kv.put(PREFIX + "seed", Long.toString(seed));
    kv.put(PREFIX + "batchq_version", batchqVersion);
    if (envPlugin != null) {
      kv.put(PREFIX + "env_plugin", envPlugin.jar());
      if (envPlugin.sha256() != null) {
        kv.put(PREFIX + "env_plugin_sha256", envPlugin.sha256());
      }
    }
    return kv;
  }

  /**
   * Settles which environment a set of input files comes from, for either engine: from batchq's metadata, or from
   * {@code envOption} for files written by other tools (null when not given). Mixing environments is an error, as is
   * metadata of a newer format or of another observation size.
   *
   * @param files the inputs' names, for messages, in the order of {@code metadata}
   */
  public static EnvSpec settle(List<String> files, List<Optional<DatasetMetadata>> metadata, String envOption) {
    String settled = envOption;
    Plugin recorded = null;
    for (int i = 0; i < files.size(); i++) {
      if (metadata.get(i).isEmpty()) {
        continue;
      }
      DatasetMetadata m = metadata.get(i).get();
      if (m.formatVersion() > DatasetSchema.FORMAT_VERSION) {
        throw new BadInputException(files.get(i), "dataset format version " + m.formatVersion()
            + " is newer than this batchq reads (" + DatasetSchema.FORMAT_VERSION + "); upgrade batchq");
      }
      if (settled != null && !settled.equals(m.envId())) {
        throw new BadInputException(files.get(i), "holds " + m.envId() + " data, but the other inputs (or --env) are "
            + settled);
      }
      settled = m.envId();
      recorded = m.envPlugin();
    }
    String first = files.isEmpty() ? "input" : files.get(0);
    if (settled == null) {
      throw new BadInputException(first,
          "has no batchq metadata; say which environment the data comes from with --env (e.g. --env CartPole-v1)");
    }
    EnvSpec env;
    try {
      env = Environments.spec(settled, recorded);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(first, e.getMessage());
    }
    for (int i = 0; i < files.size(); i++) {
      if (metadata.get(i).isPresent() && metadata.get(i).get().observationSize() != env.observationSize()) {
        throw new BadInputException(files.get(i), "observation size " + metadata.get(i).get().observationSize()
            + " does not match " + env.id() + " (" + env.observationSize() + ")");
      }
    }
    return env;
  }

  /** What settling the inputs found: their environment (or a log's own spaces), and what was assumed to get it. */
  public record Settled(EnvSpec env, String assumption) {}

  /**
   * Settles the inputs' environment as {@link #settle(List, List, String)} does, except that files without batchq
   * metadata and without {@code envOption} are a log of a system batchq does not simulate: its observation size
   * comes from the columns (every file must agree) and its action count from {@code actions}, or, when that is
   * null, from the largest action in the data, which the returned assumption says. An action at or above
   * {@code actions} is an error naming the file.
   */
  static Settled settle(List<java.nio.file.Path> files, List<Optional<DatasetMetadata>> metadata, String envOption,
      Integer actions, ColumnMapping mapping) {
    List<String> names = files.stream().map(Object::toString).toList();
    boolean foreign = metadata.stream().allMatch(Optional::isEmpty);
    if (!foreign || envOption != null) {
      EnvSpec env = settle(names, metadata, envOption);
      requireActions(env, actions, names.get(0));
      return new Settled(env, null);
    }
    if (actions != null && actions < 1) {
      throw new BadInputException(names.get(0), "--actions must be at least 1 (got " + actions + ")");
    }
    if (mapping.actionValues() != null) {
      if (actions != null && actions != mapping.actionValues().size()) {
        throw new BadInputException(names.get(0), "--actions " + actions + " disagrees with the "
            + mapping.actionValues().size() + " names of --action-values");
      }
      actions = mapping.actionValues().size();
    }
    int width = -1;
    long maxAction = -1;
    String widest = null;
    for (java.nio.file.Path f : files) {
      RowGroupReader.Spaces s = new RowGroupReader(f, null, mapping).scan();
      if (width >= 0 && s.observationSize() != width) {
        throw new BadInputException(f, "observations have " + s.observationSize() + " values, but " + files.get(0)
            + " has " + width + ": every file of a log must have the same observation width");
      }
      width = s.observationSize();
      if (actions != null && s.maxAction() >= actions) {
        throw new BadInputException(f, "action " + s.maxAction() + " occurs, but --actions is " + actions
            + " (actions are 0.." + (actions - 1) + ")");
      }
      if (s.maxAction() > maxAction) {
        maxAction = s.maxAction();
        widest = f.toString();
      }
    }
    if (width < 1) {
      throw new BadInputException(names.get(0), "holds no observations to take the observation width from");
    }
    return ofLog(width, actions, maxAction, widest);
  }

  /** Refuses {@code --actions} that disagree with a simulator's action count (it is for logs without one). */
  public static void requireActions(EnvSpec env, Integer actions, String file) {
    if (actions != null && actions != env.actionCount()) {
      throw new BadInputException(file, "is " + env.id() + " data, which has " + env.actionCount()
          + " actions, not " + actions + " (--actions is for logs without a simulator)");
    }
  }

  /**
   * A log without a simulator: {@code width} observation values and {@code actions} actions, or when that is null
   * one more than the largest action in the data ({@code maxAction}, found in {@code where}), which the returned
   * assumption says. Both engines settle a foreign log here.
   */
  public static Settled ofLog(int width, Integer actions, long maxAction, String where) {
    if (actions != null) {
      return new Settled(EnvSpec.ofLog(width, actions), null);
    }
    int count = (int) Math.max(1, maxAction + 1);
    return new Settled(EnvSpec.ofLog(width, count), "no --env and no batchq metadata: a log without a simulator with "
        + width + " observation values and " + count + " actions (0.." + (count - 1) + "), assumed from the largest"
        + " action in the data (" + maxAction + ", in " + where + "); pass --actions N if the system has more");
  }

  /** The metadata of a batchq file, or empty for a file written by another tool. */
  public static Optional<DatasetMetadata> fromKeyValues(Map<String, String> kv) {
    if (!kv.containsKey(PREFIX + "format_version")) {
      return Optional.empty();
    }
    return Optional.of(new DatasetMetadata(
        Integer.parseInt(kv.get(PREFIX + "format_version")),
        kv.get(PREFIX + "env_id"),
        Integer.parseInt(kv.get(PREFIX + "observation_size")),
        Integer.parseInt(kv.get(PREFIX + "action_count")),
        kv.get(PREFIX + "behavior_policy"),
        Long.parseLong(kv.get(PREFIX + "seed")),
        kv.get(PREFIX + "batchq_version"),
        kv.containsKey(PREFIX + "env_plugin")
            ? new Plugin(kv.get(PREFIX + "env_plugin"), kv.get(PREFIX + "env_plugin_sha256")) : null));
  }
}
