package org.batchq.runtime;

import java.nio.file.Path;

/** A model bundle that cannot be loaded: which file, and what is wrong with it, in one line. */
public final class BundleException extends RuntimeException {
  private final Path file;
  private final String problem;

  public BundleException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
    this.problem = problem;
  }

  /** The file (or bundle directory) at fault. */
  public Path file() {
    return file;
  }

  /** What is wrong, without the file's name. */
  public String problem() {
    return problem;
  }
}
