package org.batchq.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.batchq.cli.Main;

/** Runs the batchq command line in-process and captures what it prints. */
public final class Cli {
  public record Result(int exitCode, String out, String err) {}

  private Cli() {}

  public static synchronized Result run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** Runs and fails the test with the captured output unless the command succeeded. */
  public static Result ok(String... args) {
    Result r = run(args);
    if (r.exitCode() != 0) {
      throw new AssertionError("batchq " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.err());
    }
    return r;
  }
}
