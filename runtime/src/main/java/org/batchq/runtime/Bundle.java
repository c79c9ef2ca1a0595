package org.batchq.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A batchq model bundle loaded for acting: the manifest's facts, and its Q-function evaluated in plain Java (no
 * XGBoost, no PyTorch, no native code). Every file the manifest lists is checked against its SHA-256 on load, so a
 * bundle acts exactly as batchq's own commands act from it (docs/java-api.md, docs/model-format.md).
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class Bundle {
  public static final String MANIFEST = "manifest.json";
  public static final String FORMAT = "batchq-model";
  /** The newest manifest format this code reads. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final String algorithm;
  private final String envId;
  private final int observationSize;
  private final QFunction q;

  private Bundle(Path dir, String algorithm, String envId, int observationSize, QFunction q) {
    this.dir = dir;
    this.algorithm = algorithm;
    this.envId = envId;
    this.observationSize = observationSize;
    this.q = q;
  }

  /** Loads the bundle in {@code dir}; a missing, changed or unreadable file is a {@link BundleException} naming it. */
  public static Bundle load(Path dir) {
    Path manifestFile = dir.resolve(MANIFEST);
    JsonNode m;
    try {
      m = JSON.readTree(manifestFile.toFile());
    } catch (IOException e) {
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new BundleException(manifestFile, Files.exists(manifestFile) ? "not a valid model manifest (" + first + ")"
          : "missing: not a complete model bundle");
    }
    checkFormat(manifestFile, m.path("format").asText(null), m.path("format_version").asInt(0));
    String algorithm = m.path("algorithm").asText();
    int observationSize = m.path("observation_size").asInt();
    int actionCount = m.path("action_count").asInt();
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = m.path("files").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Path f = dir.resolve(e.getKey());
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(f);
      } catch (NoSuchFileException ex) {
        throw new BundleException(f, "missing: the bundle is incomplete");
      } catch (IOException ex) {
        throw new BundleException(f, "cannot read (" + ex.getMessage() + ")");
      }
      if (!sha256(bytes).equals(e.getValue().path("sha256").asText())) {
        throw new BundleException(f, "SHA-256 does not match the manifest: the file is corrupt or was changed");
      }
      files.put(e.getKey(), bytes);
    }
    if (files.isEmpty()) {
      throw new BundleException(manifestFile, "lists no model files");
    }
    QFunction q;
    try {
      q = qFunction(algorithm, observationSize, actionCount, files);
    } catch (IllegalArgumentException e) {
      throw new BundleException(dir, e.getMessage());
    }
    return new Bundle(dir, algorithm, m.path("env_id").asText(null), observationSize, q);
  }

  /** Refuses a manifest that is not batchq's, or of a format newer than this code reads. */
  public static void checkFormat(Path manifestFile, String format, int version) {
    if (!FORMAT.equals(format)) {
      throw new BundleException(manifestFile, "not a batchq model manifest (format '" + format + "')");
    }
    if (version > FORMAT_VERSION) {
      throw new BundleException(manifestFile, "model format version " + version + " is newer than this batchq reads ("
          + FORMAT_VERSION + "); upgrade batchq");
    }
  }

  /** The Q-function that an {@code algorithm}'s learner exported as {@code files} (name to bytes). */
  public static QFunction qFunction(String algorithm, int observationSize, int actionCount, Map<String, byte[]> files) {
    return switch (algorithm) {
      case "multiple" -> TreeQFunction.load(TreeForm.MULTIPLE, observationSize, actionCount, files);
      case "single" -> TreeQFunction.load(TreeForm.SINGLE, observationSize, actionCount, files);
      case MlpQFunction.ALGORITHM -> MlpQFunction.load(files);
      case ActionProbabilities.ALGORITHM -> ActionProbabilities.load(observationSize, actionCount, files);
      default -> throw new IllegalArgumentException("unknown algorithm '" + algorithm + "'");
    };
  }

  /** The algorithm that made it: {@code multiple}, {@code single}, {@code neural} or {@code bc}. */
  public String algorithm() {
    return algorithm;
  }

  /** The environment it was fitted for; null for a log of a system without a simulator. */
  public String envId() {
    return envId;
  }

  public int observationSize() {
    return observationSize;
  }

  public int actionCount() {
    return q.actionCount();
  }

  /**
   * This bundle with its trees run as generated bytecode ({@link TreeQFunction#withCompiledTrees}): the same values,
   * about twice as fast once warm, for a service that acts from it for minutes; itself for the neural and bc kinds.
   */
  public Bundle withCompiledTrees() {
    QFunction compiled = q.withCompiledTrees();
    return compiled == q ? this : new Bundle(dir, algorithm, envId, observationSize, compiled);
  }

  /** The Q-function itself, for batches: {@link QFunction#predict} takes many observations at once. */
  public QFunction q() {
    return q;
  }

  /** Q(s, a) for every action of one observation (for {@code bc}: the probability of each action). */
  public float[] qValues(float[] obs) {
    if (obs.length != observationSize) {
      throw new IllegalArgumentException("an observation of " + dir + " has " + observationSize + " values, not "
          + obs.length);
    }
    return q.predict(obs, 1);
  }

  /** The greedy action for one observation: the highest Q-value, ties to the lowest action, as batchq acts. */
  public int act(float[] obs) {
    return ActionValues.argmax(qValues(obs), 0, q.actionCount());
  }

  /** SHA-256 of {@code bytes} as lowercase hex: how manifests record every file (the core's Hashing uses it too). */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
