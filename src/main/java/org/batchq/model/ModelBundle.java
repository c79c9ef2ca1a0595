package org.batchq.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.batchq.env.EnvSpec;
import org.batchq.env.Environments;
import org.batchq.io.AtomicOutput;
import org.batchq.io.BadInputException;
import org.batchq.io.Hashing;
import org.batchq.io.Json;
import org.batchq.runtime.Bundle;
import org.batchq.runtime.BundleException;
import org.batchq.runtime.QFunction;

/**
 * A model on disk: a directory holding the learner's native files (XGBoost JSON boosters) and
 * {@code manifest.json}. Written to a temporary directory and renamed when complete; verified against the
 * manifest's hashes on load.
 */
public final class ModelBundle {
  public static final String MANIFEST = Bundle.MANIFEST;
  public static final int FORMAT_VERSION = Bundle.FORMAT_VERSION;

  /** A loaded model: its manifest and its Q-function (close it to free native memory). */
  public record Loaded(Path dir, Manifest manifest, QFunction q) implements AutoCloseable {
    public String name() {
      return dir.getFileName().toString();
    }

    /** Refuses to act in {@code env} unless this model was fitted for it, with its observation and action sizes. */
    public void requireFits(EnvSpec env) {
      if (manifest.envId() == null) {
        throw withoutSimulator(dir, manifest);
      }
      if (!env.id().equals(manifest.envId()) || env.observationSize() != manifest.observationSize()
          || env.actionCount() != manifest.actionCount()) {
        throw new BadInputException(dir, "was trained for " + manifest.envId() + " (" + manifest.observationSize()
            + " observations, " + manifest.actionCount() + " actions), not " + env.id() + " ("
            + env.observationSize() + ", " + env.actionCount() + ")");
      }
    }

    @Override
    public void close() {
      q.close();
    }
  }

  private ModelBundle() {}

  /**
   * The environment a model acts in, for the commands that simulate it (evaluate, collect): refused in one line
   * naming the model when it was fitted on a log without a simulator, or when its environment is unknown here (for
   * a plugin's environment, the message names the jar to load).
   */
  public static EnvSpec simulatedEnvironment(Path dir, Manifest m) {
    if (m.envId() == null) {
      throw withoutSimulator(dir, m);
    }
    try {
      return Environments.spec(m.envId(), m.envPlugin());
    } catch (IllegalArgumentException e) {
      throw new BadInputException(dir, "was trained for " + m.envId() + ": " + e.getMessage());
    }
  }

  /** The one refusal of a simulator's work (evaluate, collect, run) for a model of a log without one. */
  static BadInputException withoutSimulator(Path dir, Manifest m) {
    return new BadInputException(dir, "was fitted on a log without a simulator (" + m.observationSize()
        + " observations, " + m.actionCount() + " actions), so it cannot be run in one; compare it on logged data"
        + " with batchq ope (docs/ope.md)");
  }

  /** Writes {@code q} with its manifest (whose file list is filled in here) to {@code out}. */
  public static Path save(Path out, Manifest manifest, QFunction q, boolean force) {
    try (AtomicOutput output = AtomicOutput.begin(out, force)) {
      Path tmp = output.path();
      Files.createDirectories(tmp);
      Map<String, Manifest.FileEntry> entries = new LinkedHashMap<>();
      for (Map.Entry<String, byte[]> f : q.export().entrySet()) {
        Files.write(tmp.resolve(f.getKey()), f.getValue());
        entries.put(f.getKey(), new Manifest.FileEntry(f.getValue().length, Hashing.sha256(f.getValue())));
      }
      Json.MAPPER.writeValue(tmp.resolve(MANIFEST).toFile(), manifest.withFiles(entries));
      output.publish();
      return output.destination();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model " + out + ": " + e.getMessage(), e);
    }
  }

  /** Reads the manifest of the bundle at {@code dir}, checking only that it is one batchq can load. */
  public static Manifest manifest(Path dir) {
    Path file = dir.resolve(MANIFEST);
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(dir, "no such model bundle (expected a directory with " + MANIFEST + ")");
    }
    Manifest m;
    try {
      m = Json.MAPPER.readValue(file.toFile(), Manifest.class);
    } catch (IOException e) {
      throw new BadInputException(file, Files.exists(file) ? "not a valid model manifest (" + e.getMessage().lines()
          .findFirst().orElse("") + ")" : "missing: not a complete model bundle");
    }
    try {
      Bundle.checkFormat(file, m.format(), m.formatVersion());
    } catch (BundleException e) {
      throw new BadInputException(e.file(), e.problem());
    }
    if (m.files() == null || m.files().isEmpty()) {
      throw new BadInputException(file, "lists no model files");
    }
    return m;
  }

  /**
   * Loads and verifies a bundle: every listed file present, with the SHA-256 the manifest records, and its
   * Q-function evaluated in plain Java, by the same runtime a service acts through ({@link Bundle}).
   */
  public static Loaded load(Path dir) {
    Manifest m = manifest(dir);
    try {
      return new Loaded(dir, m, Bundle.load(dir).q());
    } catch (BundleException e) {
      throw new BadInputException(e.file(), e.problem());
    }
  }
}
