package org.batchq.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.batchq.env.Plugin;
import org.batchq.fqi.IterationStats;
import org.batchq.io.Hashing;
import org.batchq.runtime.Bundle;

/**
 * A model bundle's {@code manifest.json} (docs/model-format.md): what the model is, how it was trained, from which
 * data, and the SHA-256 of every file it consists of. Fields under {@code run}, and each iteration's timings in
 * {@code diagnostics}, are facts of one run (times, paths, creation date) and are the only ones that may differ
 * between two fits with the same data, options and seed (docs/reproducibility.md). {@code envPlugin} names the
 * plugin jar an environment of your own came from (absent for a built-in one and for a log without a simulator).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
    String format,
    int formatVersion,
    String algorithm,
    String envId,
    Plugin envPlugin,
    int observationSize,
    int actionCount,
    String featureLayout,
    Double gamma,
    Integer iterations,
    long seed,
    Map<String, Object> regressor,
    Map<String, FileEntry> files,
    List<DataFile> data,
    Map<String, Object> training,
    Map<String, Object> settings,
    List<IterationStats> diagnostics,
    Map<String, String> versions,
    Map<String, Object> run) {

  public static final String FORMAT = Bundle.FORMAT;

  /** One file of the bundle. */
  public record FileEntry(long bytes, String sha256) {}

  /** One input file the model was fitted on. */
  public record DataFile(String name, long bytes, long rows, String sha256) {}

  /**
   * The model's identity by content: SHA-256 of its file list ({@code name<TAB>sha256<LF>} per file, in name order).
   * Two bundles with the same Q-function files have the same content hash wherever and whenever they were written;
   * the manifest's own hash would also change with its run facts.
   */
  public String contentSha256() {
    StringBuilder list = new StringBuilder();
    new TreeMap<>(files).forEach((name, entry) -> list.append(name).append('\t').append(entry.sha256()).append('\n'));
    return Hashing.sha256(list.toString().getBytes(StandardCharsets.UTF_8));
  }

  Manifest withFiles(Map<String, FileEntry> entries) {
    return new Manifest(format, formatVersion, algorithm, envId, envPlugin, observationSize, actionCount, featureLayout, gamma,
        iterations, seed, regressor, entries, data, training, settings, diagnostics, versions, run);
  }
}
