package org.batchq.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.batchq.env.EnvSpec;
import org.batchq.env.Environments;
import org.batchq.io.BadInputException;

/**
 * The facts a dataset records in its Parquet key-value metadata. Files written by other tools have none of it;
 * then the environment comes from the user ({@code --env}).
 *
 * @param behaviorPolicy the behaviour policy as JSON, e.g. {@code {"type":"random"}}
 */
public record DatasetMetadata(
    int formatVersion, String envId, int observationSize, int actionCount, String behaviorPolicy, long seed,
    String batchqVersion) {

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
    }
    String first = files.isEmpty() ? "input" : files.get(0);
    if (settled == null) {
      throw new BadInputException(first,
          "has no batchq metadata; say which environment the data comes from with --env (e.g. --env CartPole-v1)");
    }
    EnvSpec env;
    try {
      env = Environments.spec(settled);
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
        kv.get(PREFIX + "batchq_version")));
  }
}
