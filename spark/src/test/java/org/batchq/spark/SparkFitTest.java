package org.batchq.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.batchq.cli.Main;
import org.batchq.model.Manifest;
import org.batchq.model.ModelBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark engine in {@code local[2]} against the local engine, which runs from the core's own jar in its own JVM
 * (as users run it: the core's Parquet and Jackson are newer than Spark's and never share a classpath with them).
 * Datasets are counted and read back with DuckDB, an independent reader.
 */
class SparkFitTest {
  private static final Path CORE_JAR = Path.of("../target/batchq-0.1.0-cli.jar");

  @TempDir static Path dir;
  static Path data;

  @BeforeAll
  static void collect() throws Exception {
    data = dir.resolve("random.parquet");
    core("collect", "--episodes", "300", "--seed", "5", "--out", data.toString());
  }

  /**
   * Same data, options and seed: Q-values within 2% of the mean |Q| on average, and within 10% in 90% of the
   * states. Not identical: distributed XGBoost merges per-worker histogram sketches, so split candidates differ
   * slightly from a single-machine fit. (Greedy actions are not compared state by state: on random-policy data the
   * two actions' values often differ by less than any regression error, so the argmax of two good fits differs too.)
   */
  @Test
  void sparkAndLocalEnginesGiveTheSameQFunction() throws Exception {
    for (String algorithm : List.of("multiple", "single")) {
      Path local = dir.resolve("local-" + algorithm);
      Path spark = dir.resolve("spark-" + algorithm);
      core("fit", data.toString(), "--algorithm", algorithm, "--iterations", "8", "--seed", "3", "--out", local.toString());
      assertEquals(0, spark("fit", data.toString(), "--algorithm", algorithm, "--iterations", "8", "--seed", "3",
          "--master", "local[2]", "--out", spark.toString()));

      try (ModelBundle.Loaded a = ModelBundle.load(local); ModelBundle.Loaded b = ModelBundle.load(spark)) {
        Manifest m = b.manifest();
        assertEquals(algorithm, m.algorithm());
        assertEquals("spark", m.training().get("engine"));
        assertEquals(a.manifest().training().get("train_rows"), ((Number) m.training().get("train_rows")).intValue(),
            "the same episodes are held out");
        assertEquals(a.manifest().data().get(0).sha256(), m.data().get(0).sha256());
      }
      assertSameQ(local, spark, algorithm);
    }
  }

  /**
   * A log of a system batchq does not simulate (no batchq metadata, no --env): the Spark engine takes its spaces
   * from the data as the local engine does, records no environment in the bundle, and fits the local engine's
   * Q-function; without --actions it says what it assumed. What it cannot read yet is refused in one line.
   */
  @Test
  void fitsALogWithoutASimulatorAsTheLocalEngineDoes() throws Exception {
    Path log = dir.resolve("log.parquet");
    duck("COPY (SELECT episode_id, step, obs, next_obs, action, reward, terminated, truncated FROM read_parquet('"
        + data + "')) TO '" + log + "' (FORMAT parquet)");
    Path local = dir.resolve("log-local");
    Path spark = dir.resolve("log-spark");
    core("fit", log.toString(), "--actions", "2", "--iterations", "6", "--seed", "3", "--out", local.toString());
    assertEquals(0, spark("fit", log.toString(), "--actions", "2", "--iterations", "6", "--seed", "3", "--master",
        "local[2]", "--out", spark.toString()));
    Manifest m = ModelBundle.manifest(spark);
    assertNull(m.envId());
    assertEquals(4, m.observationSize());
    assertEquals(2, m.actionCount());
    assertEquals(ModelBundle.manifest(local).training().get("train_rows"),
        ((Number) m.training().get("train_rows")).intValue(), "the same episodes are held out");
    assertSameQ(local, spark, "log without a simulator");

    Path assumed = dir.resolve("log-assumed");
    String err = stderr(() -> assertEquals(0, spark("fit", log.toString(), "--iterations", "1", "--master", "local[2]",
        "--out", assumed.toString())));
    assertTrue(err.contains("assumed from the largest action in the data (1"), err);
    assertEquals(2, ModelBundle.manifest(assumed).actionCount());

    err = stderr(() -> assertEquals(2, spark("fit", log.toString(), "--step-col", "step", "--master", "local[2]",
        "--out", dir.resolve("never").toString())));
    assertEquals(1, err.strip().lines().count(), err);
    assertTrue(err.contains("--step-col is not available with the Spark engine"), err);
  }

  /**
   * Q-values of two fits of the same data within 2% of the mean |Q| on average, and within 10% in 90% of the
   * dataset's states.
   */
  private static void assertSameQ(Path local, Path spark, String what) throws SQLException {
    float[] states = observations(data);
    int rows = states.length / 4;
    try (ModelBundle.Loaded a = ModelBundle.load(local); ModelBundle.Loaded b = ModelBundle.load(spark)) {
      float[] qa = a.q().predict(states, rows);
      float[] qb = b.q().predict(states, rows);
      double diff = 0;
      double scale = 0;
      int close = 0;
      for (int i = 0; i < 2 * rows; i++) {
        double d = Math.abs(qa[i] - qb[i]);
        diff += d;
        scale += Math.abs(qa[i]);
        close += d <= 0.1 * Math.abs(qa[i]) ? 1 : 0;
      }
      System.out.printf("%s: mean |dQ| / mean |Q| = %.4f, within 10%% in %.2f%% of %d values%n", what,
          diff / scale, 50.0 * close / rows, 2 * rows);
      assertTrue(diff / scale < 0.02, what + ": relative Q difference " + diff / scale);
      assertTrue(close >= 0.9 * 2 * rows, what + ": within 10% in only " + close + " of " + 2 * rows);
    }
  }

  /** A directory of several part files is read whole: every row DuckDB counts is trained on or held out. */
  @Test
  void readsEveryPartFileOfADirectory() throws Exception {
    Path parts = dir.resolve("parts");
    Files.createDirectories(parts);
    for (int i = 0; i < 3; i++) {
      core("collect", "--episodes", "40", "--seed", Integer.toString(10 + i), "--out",
          parts.resolve("part-0000" + i + ".parquet").toString());
    }
    Path out = dir.resolve("parts-model");
    assertEquals(0, spark("fit", parts.toString(), "--iterations", "2", "--master", "local[2]", "--out", out.toString()));
    long expected = ((Number) duck("SELECT count(*) FROM read_parquet('" + parts + "/*.parquet')").get(0).get(0)).longValue();
    Manifest m = ModelBundle.manifest(out);
    assertEquals(3, m.data().size());
    assertEquals(expected, m.data().stream().mapToLong(Manifest.DataFile::rows).sum());
    assertEquals(expected, ((Number) m.training().get("train_rows")).longValue()
        + ((Number) m.training().get("valid_rows")).longValue());
  }

  /** Bad input and bad usage: one line naming the problem, exit 1 or 2, no bundle left behind. */
  @Test
  void reportsBadInputInOneLine() throws Exception {
    Path foreign = dir.resolve("foreign.parquet");
    duck("COPY (SELECT 0.1::DOUBLE AS x, 1::INTEGER AS action FROM range(10)) TO '" + foreign + "' (FORMAT parquet)");
    Path out = dir.resolve("never");

    String err = stderr(() -> assertEquals(1, spark("fit", foreign.toString(), "--env", "CartPole-v1",
        "--master", "local[2]", "--out", out.toString())));
    assertEquals(1, err.strip().lines().count(), err);
    assertTrue(err.contains("missing column 'obs'") && err.contains("foreign.parquet"), err);

    err = stderr(() -> assertEquals(2, spark("fit", data.toString(), "--warm-start", "--out", out.toString())));
    assertTrue(err.contains("--warm-start is not available with the Spark engine"), err);

    err = stderr(() -> assertEquals(1, spark("fit", dir.resolve("absent.parquet").toString(), "--master", "local[2]",
        "--out", out.toString())));
    assertTrue(err.contains("no such file or directory"), err);
    assertFalse(Files.exists(out));
  }

  private static int spark(String... args) {
    return Main.execute(new SparkMain(), args);
  }

  private static String stderr(Runnable action) {
    PrintStream saved = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(saved);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  /** Runs the core's {@code batchq} from its jar, in its own JVM. */
  private static void core(String... args) throws IOException, InterruptedException {
    assertTrue(Files.isRegularFile(CORE_JAR), CORE_JAR + " is missing: build the core first ('make test' does)");
    List<String> command = new ArrayList<>(List.of("java", "-Xmx2g", "-jar", CORE_JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "batchq " + String.join(" ", args) + ":\n" + output);
  }

  private static float[] observations(Path file) throws SQLException {
    List<List<Object>> rows = duck("SELECT obs FROM read_parquet('" + file + "') ORDER BY episode_id, step");
    float[] out = new float[rows.size() * 4];
    for (int i = 0; i < rows.size(); i++) {
      Object[] obs = (Object[]) rows.get(i).get(0);
      for (int k = 0; k < 4; k++) {
        out[4 * i + k] = ((Number) obs[k]).floatValue();
      }
    }
    return out;
  }

  private static List<List<Object>> duck(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      if (!st.execute(sql)) {
        return List.of();
      }
      try (ResultSet rs = st.getResultSet()) {
        List<List<Object>> rows = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int k = 1; k <= n; k++) {
            Object v = rs.getObject(k);
            row.add(v instanceof java.sql.Array a ? a.getArray() : v);
          }
          rows.add(row);
        }
        return rows;
      }
    }
  }
}
