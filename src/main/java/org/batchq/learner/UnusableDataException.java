package org.batchq.learner;

/** Data that is well formed but cannot be fitted as asked (e.g. an action that never occurs, for {@code multiple}). */
public class UnusableDataException extends RuntimeException {
  public UnusableDataException(String message) {
    super(message);
  }
}
