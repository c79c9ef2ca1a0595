package org.batchq.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

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
