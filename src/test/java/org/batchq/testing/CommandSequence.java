package org.batchq.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.batchq.cli.Main;

/**
 * A child JVM for cross-process tests: runs several batchq command lines, separated by {@code ";"}, one after the
 * other, and exits with the first non-zero exit code. Its first line of output is this JVM's iteration order of a
 * {@code Map.of}, which the JDK randomises per process, so a test can tell that its children really differed.
 */
public final class CommandSequence {
  public static final String SEPARATOR = ";";

  private CommandSequence() {}

  /** This process's iteration order of an immutable map: differs between JVMs, fixed within one. */
  public static String hashOrder() {
    return Map.of("a", 0, "b", 0, "c", 0, "d", 0, "e", 0, "f", 0, "g", 0, "h", 0).keySet().toString();
  }

  public static void main(String[] args) {
    System.out.println(hashOrder());
    List<String> command = new ArrayList<>();
    for (String a : args) {
      if (a.equals(SEPARATOR)) {
        runOrExit(command);
        command.clear();
      } else {
        command.add(a);
      }
    }
    runOrExit(command);
    System.exit(0);
  }

  private static void runOrExit(List<String> command) {
    int code = Main.run(command.toArray(String[]::new));
    if (code != 0) {
      System.exit(code);
    }
  }
}
