package org.batchq.cli;

import picocli.CommandLine.Option;

/** {@code --envs}, shared by every command that steps environments; results never depend on it. */
final class LockstepOption {
  @Option(names = "--envs", defaultValue = "64",
      description = "Environments stepped in lockstep; results do not depend on it (default: ${DEFAULT-VALUE}).")
  private int envs;

  /** The validated number of environments. */
  int envs() {
    if (envs < 1) {
      throw new IllegalArgumentException("--envs must be at least 1 (got " + envs + ")");
    }
    return envs;
  }
}
