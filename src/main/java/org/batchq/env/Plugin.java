package org.batchq.env;

/**
 * Where an environment batchq does not ship came from, as datasets, models and runs record it.
 *
 * @param jar the jar's file name (not its path, which differs between machines)
 * @param sha256 the jar's SHA-256; null for classes on the classpath outside a jar (a directory)
 */
public record Plugin(String jar, String sha256) {
  /** {@code chain.jar (sha256 0123456789ab...)}, for messages. */
  public String describe() {
    return jar + (sha256 == null ? "" : " (sha256 " + sha256.substring(0, 12) + "...)");
  }
}
