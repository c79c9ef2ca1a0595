package org.batchq.io;

import java.nio.file.Path;

/**
 * Input that batchq cannot use (missing, corrupt or invalid data or model files): the CLI prints the message as
 * one line and exits with status 1. The message always names the file.
 */
public class BadInputException extends RuntimeException {
  public BadInputException(Path file, String problem) {
    super(file + ": " + problem);
  }

  /** A problem with a set of inputs, named by {@code subject} (e.g. "a.parquet and 2 more files"). */
  public BadInputException(String subject, String problem) {
    super(subject + ": " + problem);
  }

  public BadInputException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
