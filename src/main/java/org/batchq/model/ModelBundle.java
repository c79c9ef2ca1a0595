package org.batchq.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.batchq.env.EnvSpec;
import org.batchq.env.Environments;
import org.batchq.io.AtomicOutput;
import org.batchq.io.BadInputException;
import org.batchq.io.Hashing;
import org.batchq.io.Json;
import org.batchq.learner.Learners;
import org.batchq.learner.QFunction;

/**
 * A model on disk: a directory holding the learner's native files (XGBoost JSON boosters) and
 * {@code manifest.json}. Written to a temporary directory and renamed when complete; verified against the
 * manifest's hashes on load.
 */
public final class ModelBundle {
  public static final String MANIFEST = "manifest.json";
  public static final int FORMAT_VERSION = 1;

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
    if (!Manifest.FORMAT.equals(m.format())) {
      throw new BadInputException(file, "not a batchq model manifest (format '" + m.format() + "')");
    }
    if (m.formatVersion() > FORMAT_VERSION) {
      throw new BadInputException(file, "model format version " + m.formatVersion() + " is newer than this batchq"
          + " reads (" + FORMAT_VERSION + "); upgrade batchq");
    }
    if (m.files() == null || m.files().isEmpty()) {
      throw new BadInputException(file, "lists no model files");
    }
    return m;
  }

  /** Loads and verifies a bundle: every listed file present, with the size and SHA-256 the manifest records. */
  public static Loaded load(Path dir) {
    Manifest m = manifest(dir);
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (Map.Entry<String, Manifest.FileEntry> e : m.files().entrySet()) {
      Path f = dir.resolve(e.getKey());
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(f);
      } catch (NoSuchFileException ex) {
        throw new BadInputException(f, "missing: the bundle is incomplete");
      } catch (IOException ex) {
        throw new BadInputException(f, "cannot read (" + ex.getMessage() + ")");
      }
      if (!Hashing.sha256(bytes).equals(e.getValue().sha256())) {
        throw new BadInputException(f, "SHA-256 does not match the manifest: the file is corrupt or was changed");
      }
      files.put(e.getKey(), bytes);
    }
    QFunction q;
    try {
      q = Learners.load(m.algorithm(), m.observationSize(), m.actionCount(), files);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(dir, e.getMessage());
    }
    return new Loaded(dir, m, q);
  }
}
