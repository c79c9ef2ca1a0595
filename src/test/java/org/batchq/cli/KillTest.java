package org.batchq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.batchq.model.ModelBundle;
import org.batchq.testing.Cli;
import org.batchq.testing.Duck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL at several points: the output either does not exist or is complete and valid. Never something that
 * looks whole and is not.
 */
class KillTest {
  @TempDir Path dir;

  /** Milliseconds from JVM start-up to SIGKILL; -1 lets the command finish, to check the whole case too. */
  static final long[] KILL_AFTER_MS = {300, 900, 1600, -1};

  static Process start(String... args) throws Exception {
    return ErrorsTest.batchq("", args).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  static void killAfter(Process p, long ms) throws Exception {
    if (ms >= 0) {
      Thread.sleep(ms);
      p.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
    }
    p.waitFor();
  }

  @Test
  void aKilledCollectLeavesNoDatasetOrAWholeOne() throws Exception {
    int outcomes = 0;
    for (long ms : KILL_AFTER_MS) {
      for (String name : List.of("k" + ms + ".parquet", "k" + ms)) { // a file and a directory of parts
        Path out = dir.resolve(name);
        killAfter(start("collect", "--episodes", "60000", "--seed", "1", "--out", out.toString()), ms);
        if (Files.exists(out)) {
          outcomes++;
          try (Duck duck = new Duck()) {
            String from = Files.isDirectory(out) ? Duck.quote(out.resolve("*.parquet")) : Duck.quote(out);
            assertEquals(60000L, ((Number) duck.scalar("SELECT count(DISTINCT episode_id) FROM " + from)).longValue(),
                name + " exists, so it must be whole");
          }
        }
        assertNoVisibleLeftovers(name.replace(".parquet", ""));
      }
    }
    // The next writer of a killed output cleans its temporaries up.
    Cli.ok("collect", "--episodes", "5", "--out", dir.resolve("k300.parquet").toString(), "--force");
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".k300.parquet.tmp")));
    }
    assertTrue(outcomes >= 1, "the last kill comes after the command finished, so its output exists");
  }

  @Test
  void aKilledFitLeavesNoBundleOrAWholeOne() throws Exception {
    Path data = dir.resolve("d.parquet");
    Cli.ok("collect", "--episodes", "2000", "--seed", "1", "--out", data.toString());
    for (long ms : KILL_AFTER_MS) {
      Path out = dir.resolve("m" + ms);
      killAfter(start("fit", data.toString(), "--iterations", "8", "--trees", "50", "--out", out.toString()), ms);
      if (Files.exists(out)) {
        try (ModelBundle.Loaded m = ModelBundle.load(out)) { // verifies every file against its SHA-256
          assertEquals(8, m.manifest().diagnostics().size());
        }
      }
      assertNoVisibleLeftovers("m" + ms);
    }
  }

  /** Only hidden names (temporaries, locks), which readers skip, may remain beside a killed output. */
  void assertNoVisibleLeftovers(String name) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        boolean output = n.equals(name) || n.equals(name + ".parquet");
        assertTrue(!n.contains(name) || output || n.startsWith("."), "unexpected " + n);
      }
    }
  }
}
