package org.batchq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.batchq.io.AtomicOutput;
import org.batchq.testing.Cli;
import org.batchq.testing.Duck;
import org.batchq.testing.PluginJars;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One case per row of docs/errors.md: the message names the file, the exit code is the documented one, nothing is left. */
class ErrorsTest {
  @TempDir static Path dir;
  static Path data;
  static Path model;

  /** A failure case: the command, the exit code, what the one line must say, and outputs that must not appear. */
  record Case(List<String> args, int code, List<String> says, List<Path> absent) {}

  static final Map<String, Case> CASES = new LinkedHashMap<>();

  static Case add(String id, int code, List<String> says, List<Path> absent, String... args) {
    Case c = new Case(List.of(args), code, says, absent);
    CASES.put(id, c);
    return c;
  }

  static Path out(String name) {
    return dir.resolve("out").resolve(name);
  }

  static Path variant(String name, String select, String where) throws Exception {
    Path f = dir.resolve(name + ".parquet");
    try (Duck duck = new Duck()) {
      duck.execute("COPY (SELECT " + select + " FROM " + Duck.quote(data) + " WHERE " + where + ") TO " + Duck.quote(f)
          + " (FORMAT parquet)");
    }
    return f;
  }

  static Path copyModel(String name) throws IOException {
    Path to = dir.resolve(name);
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(model)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  static void fit(String id, Path input, String... says) {
    Path o = out(id);
    List<String> args = new ArrayList<>(List.of("fit", input.toString(), "--iterations", "2", "--trees", "5", "--out",
        o.toString(), "--algorithm", "multiple")); // multiple also refuses data in which an action never occurs
    if (!id.startsWith("log-")) {
      args.addAll(List.of("--env", "CartPole-v1")); // DuckDB-written copies carry no batchq metadata
    }
    add(id, 1, List.of(says), List.of(o), args.toArray(String[]::new));
  }

  @BeforeAll
  static void cases() throws Exception {
    data = dir.resolve("d.parquet");
    Cli.ok("collect", "--episodes", "40", "--seed", "1", "--out", data.toString());
    model = dir.resolve("m");
    Cli.ok("fit", data.toString(), "--iterations", "2", "--trees", "5", "--algorithm", "multiple", "--out",
        model.toString());
    String all = "episode_id, step, obs, next_obs, terminated, truncated, behavior_prob";

    fit("missing-file", dir.resolve("nope.parquet"), "nope.parquet", "no such file or directory");
    fit("missing-dir", dir.resolve("nope-dir"), "nope-dir", "no such file or directory");
    Path emptyDir = Files.createDirectories(dir.resolve("empty-dir"));
    fit("empty-dir", emptyDir, "empty-dir", "holds no .parquet files");
    Path csv = dir.resolve("data.parquet");
    Files.writeString(csv, "episode_id,step,action,reward\n0,0,1,1.0\n");
    fit("not-parquet", csv, "data.parquet", "not a readable Parquet file");
    Path truncated = dir.resolve("truncated.parquet");
    byte[] bytes = Files.readAllBytes(data);
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    fit("truncated", truncated, "truncated.parquet", "not a readable Parquet file");
    fit("flipped-page", flipInFirstPage(), "flipped.parquet", "corrupt");
    fit("missing-column", variant("no-reward", all + ", action", "true"), "no-reward.parquet", "missing column 'reward'");
    fit("wrong-type", variant("text-reward", all + ", action, reward::VARCHAR AS reward", "true"), "text-reward.parquet",
        "expected a number");
    fit("obs-length", variant("short-obs", "episode_id, step, obs[1:3] AS obs, next_obs, terminated, truncated,"
        + " behavior_prob, action, reward", "true"), "short-obs.parquet", "obs has 3 values");
    fit("nan-obs", variant("nan-obs", "episode_id, step, list_transform(obs, lambda x: x / 0 * 0) AS obs, next_obs,"
        + " terminated, truncated, behavior_prob, action, reward", "true"), "nan-obs.parquet", "obs[0] is NaN");
    fit("nan-reward", variant("nan-reward", all + ", action, CASE WHEN step = 3 THEN 'NaN'::FLOAT ELSE reward END AS"
        + " reward", "true"), "nan-reward.parquet", "reward is NaN");
    fit("inf-reward", variant("inf-reward", all + ", action, CASE WHEN step = 3 THEN 'inf'::FLOAT ELSE reward END AS"
        + " reward", "true"), "inf-reward.parquet", "reward is Infinity");
    fit("action-range", variant("big-action", all + ", reward, CASE WHEN step = 2 THEN 2 ELSE action END AS action",
        "true"), "big-action.parquet", "action 2 is outside [0, 2)");
    fit("action-negative", variant("neg-action", all + ", reward, CASE WHEN step = 2 THEN -1 ELSE action END AS action",
        "true"), "neg-action.parquet", "action -1 is outside [0, 2)");
    fit("empty-dataset", variant("empty", "*", "false"), "empty.parquet", "holds no transitions");
    fit("single-action", variant("one-action", "*", "action = 0"), "one-action.parquet", "action 1 never occurs");
    Path foreign = dir.resolve("foreign.parquet");
    try (Duck duck = new Duck()) {
      duck.execute("COPY (SELECT * FROM " + Duck.quote(data) + ") TO " + Duck.quote(foreign) + " (FORMAT parquet)");
    }
    add("log-actions-too-few", 1, List.of("foreign.parquet", "action 1 occurs, but --actions is 1"), List.of(out("la")),
        "fit", foreign.toString(), "--actions", "1", "--out", out("la").toString());
    Path narrowLog = variant("narrow-log", "episode_id, step, obs[1:3] AS obs, next_obs[1:3] AS next_obs, terminated,"
        + " truncated, behavior_prob, action, reward", "true");
    add("log-width-differs", 1, List.of("narrow-log.parquet", "observations have 3 values", "4"), List.of(out("lw")),
        "fit", foreign.toString(), narrowLog.toString(), "--out", out("lw").toString());
    Path named = variant("named", "episode_id, step, obs, next_obs, terminated, truncated, behavior_prob, reward,"
        + " CASE WHEN action = 0 THEN 'left' ELSE 'right' END AS action", "true");
    add("action-name-unlisted", 1, List.of("named.parquet", "action 'right' is not one of --action-values left,stay"),
        List.of(out("an1")), "fit", named.toString(), "--action-values", "left,stay", "--out", out("an1").toString());
    add("action-names-unstated", 1, List.of("named.parquet", "holds names", "--action-values"), List.of(out("an2")),
        "fit", named.toString(), "--out", out("an2").toString());
    add("step-col-no-episode", 2, List.of("--step-col", "--episode-col"), List.of(out("sc")), "fit", data.toString(),
        "--step-col", "step", "--episode-col", "none", "--out", out("sc").toString());
    Path logModel = dir.resolve("log-model");
    Cli.ok("fit", foreign.toString(), "--iterations", "2", "--trees", "5", "--out", logModel.toString());
    add("log-model-simulated", 1, List.of("log-model", "was fitted on a log without a simulator", "batchq ope"),
        List.of(), "evaluate", logModel.toString());

    plugins();
    add("unknown-option", 2, List.of("Unknown option", "--bogus"), List.of(out("uo")), "fit", data.toString(), "--bogus",
        "--out", out("uo").toString());
    add("unknown-command", 2, List.of("frobnicate"), List.of(), "frobnicate");
    add("missing-value", 2, List.of("--episodes"), List.of(), "collect", "--out", out("mv.parquet").toString(),
        "--episodes");
    add("bad-number", 2, List.of("--episodes", "many"), List.of(out("bn.parquet")), "collect", "--episodes", "many",
        "--out", out("bn.parquet").toString());
    add("ensemble-no-holdout", 2, List.of("--ensemble", "--validation-fraction"), List.of(out("en")), "fit",
        data.toString(), "--ensemble", "3", "--validation-fraction", "0", "--out", out("en").toString());
    add("average-range", 2, List.of("--average-iterates", "60"), List.of(out("ar")), "fit", data.toString(),
        "--average-iterates", "60", "--out", out("ar").toString());
    add("average-neural", 2, List.of("--average-iterates", "tree algorithms"), List.of(out("an")), "fit",
        data.toString(), "--algorithm", "neural", "--average-iterates", "5", "--out", out("an").toString());
    add("advantage-range", 2, List.of("--advantage-learning", "[0, 1)", "1.5"), List.of(out("al")), "fit",
        data.toString(), "--advantage-learning", "1.5", "--out", out("al").toString());
    add("option-other-learner", 2, List.of("--hidden", "neural", "single"), List.of(out("ol")), "fit",
        data.toString(), "--algorithm", "single", "--hidden", "32", "--out", out("ol").toString());
    add("config-no-settings", 1, List.of("not-settings.json", "settings object"), List.of(out("cn")), "fit",
        data.toString(), "--config", notSettings().toString(), "--out", out("cn").toString());
    add("gamma-range", 2, List.of("--gamma", "1.5"), List.of(out("g")), "fit", data.toString(), "--gamma", "1.5",
        "--out", out("g").toString());
    add("episodes-zero", 2, List.of("--episodes", "0"), List.of(out("e.parquet")), "collect", "--episodes", "0",
        "--out", out("e.parquet").toString());
    add("epsilon-range", 2, List.of("--epsilon", "-1"), List.of(out("eps.parquet")), "collect", "--episodes", "2",
        "--epsilon", "-1", "--policy", "epsilon-greedy", "--model", model.toString(), "--out", out("eps.parquet").toString());

    add("bundle-missing", 1, List.of("no-model", "no such model bundle"), List.of(), "evaluate",
        dir.resolve("no-model").toString());
    Path noBooster = copyModel("no-booster");
    Files.delete(noBooster.resolve("q-action-0.json"));
    add("bundle-booster", 1, List.of("q-action-0.json", "missing"), List.of(), "evaluate", noBooster.toString());
    Path tampered = copyModel("tampered");
    Files.writeString(tampered.resolve("q-action-1.json"), "{}");
    add("bundle-tampered", 1, List.of("q-action-1.json", "SHA-256"), List.of(), "evaluate", tampered.toString());
    Path broken = copyModel("broken");
    Files.writeString(broken.resolve("manifest.json"), "{ not json");
    add("manifest-broken", 1, List.of("manifest.json", "not a valid model manifest"), List.of(), "evaluate",
        broken.toString());
    Path future = copyModel("future");
    Path fm = future.resolve("manifest.json");
    Files.writeString(fm, Files.readString(fm).replace("\"format_version\" : 1", "\"format_version\" : 99"));
    add("manifest-future", 1, List.of("manifest.json", "newer"), List.of(), "evaluate", future.toString());
    Path otherEnv = copyModel("other-env");
    Path om = otherEnv.resolve("manifest.json");
    Files.writeString(om, Files.readString(om).replace("CartPole-v1", "MountainCar-v0"));
    add("bundle-other-env", 1, List.of("other-env", "MountainCar-v0"), List.of(out("oe.parquet")), "collect",
        "--episodes", "2", "--policy", "epsilon-greedy", "--model", otherEnv.toString(), "--out",
        out("oe.parquet").toString());

    add("behavior-prob-invalid", 1, List.of("zero-prob.parquet", "row 4", "behavior_prob is 0"), List.of(), "ope",
        variant("zero-prob", "episode_id, step, obs, next_obs, terminated, truncated, action, reward, CASE WHEN"
            + " episode_id = 0 AND step = 4 THEN 0::FLOAT ELSE behavior_prob END AS behavior_prob", "true").toString(),
        "random", "--env", "CartPole-v1", "--bootstrap", "0");
    add("behavior-prob-col-missing", 1, List.of("foreign.parquet", "no column p"), List.of(), "ope",
        foreign.toString(), "random", "--env", "CartPole-v1", "--behavior-prob-col", "p", "--bootstrap", "0");
    add("ope-unknown-estimator", 2, List.of("unknown estimator 'bogus'", "fqe, pdis"), List.of(), "ope",
        data.toString(), "random", "--estimators", "pdis,bogus");
    add("ope-no-policy", 2, List.of("name at least one policy"), List.of(), "ope", data.toString());
    add("ope-fqi-option", 2, List.of("--ensemble is not an option of ope"), List.of(), "ope", data.toString(), "random",
        "--ensemble", "3");
    add("ope-advantage", 2, List.of("--advantage-learning is not an option of ope"), List.of(), "ope", data.toString(),
        "random", "--advantage-learning", "0.5");
    Path narrow = copyModel("narrow");
    Path nm = narrow.resolve("manifest.json");
    Files.writeString(nm, Files.readString(nm).replace("\"observation_size\" : 4", "\"observation_size\" : 2"));
    add("ope-model-size", 1, List.of("narrow", "acts on 2 observations", "the data has 4"), List.of(), "ope",
        data.toString(), narrow.toString(), "--bootstrap", "0", "--estimators", "pdis");
    add("bc-fqi-option", 2, List.of("--iterations is not an option of --algorithm bc"), List.of(out("bc")), "fit",
        data.toString(), "--algorithm", "bc", "--iterations", "5", "--out", out("bc").toString());

    add("select-ope-holdout", 2, List.of("--select ope", "--grow-batch", "--validation-fraction"), List.of(), "run",
        "--dir", dir.resolve("runs-sel").toString(), "--select", "ope", "--no-grow-batch");
    add("guard-refit-unknown", 2, List.of("--guard-refit must be clipped, best or zero", "sometimes"), List.of(), "run",
        "--dir", dir.resolve("runs-guard").toString(), "--guard-refit", "sometimes");
    Path exists = dir.resolve("exists.parquet");
    Files.writeString(exists, "precious");
    add("output-exists", 1, List.of("exists.parquet", "--force"), List.of(), "collect", "--episodes", "2", "--out",
        exists.toString());
    add("model-exists", 1, List.of("other-env", "--force"), List.of(), "fit", data.toString(), "--out",
        otherEnv.toString());
    add("start-model-units", 1, List.of("m", "--reward none", "--reward failure"), List.of(out("sm")), "fit",
        data.toString(), "--start-model", model.toString(), "--reward", "failure", "--out", out("sm").toString());
    add("engine-jvm", 2, List.of("--engine spark", "bin/batchq"), List.of(), "fit", data.toString(), "--engine", "spark",
        "--out", out("engine").toString());
    Path blocker = dir.resolve("blocker");
    Files.writeString(blocker, "a file, not a directory");
    add("output-unwritable", 1, List.of("blocker", "cannot create the output directory"), List.of(), "collect",
        "--episodes", "2", "--out", blocker.resolve("sub").resolve("x.parquet").toString());
    Path parts = dir.resolve("parts");
    Cli.ok("collect", "--episodes", "10", "--out", parts.toString());
    try (RandomAccessFile f = new RandomAccessFile(parts.resolve("part-00000.parquet").toFile(), "rw")) {
      f.seek(f.length() - 20); // inside the footer, which page CRCs do not cover
      int b = f.read();
      f.seek(f.length() - 20);
      f.write(b ^ 0x01);
    }
    add("part-tampered", 1, List.of("part-00000.parquet", "_batchq_parts.json"), List.of(), "info", parts.toString());
  }

  /** Environments of your own: jars that are missing, empty or broken, ids nobody provides, a plugin not loaded. */
  static void plugins() throws Exception {
    Path chain = PluginJars.example(dir.resolve("chain.jar"));
    add("plugin-missing", 1, List.of("nope.jar", "no such plugin jar"), List.of(out("pm.parquet")), "collect",
        "--plugin", dir.resolve("nope.jar").toString(), "--episodes", "2", "--out", out("pm.parquet").toString());
    Path empty = PluginJars.build(dir.resolve("empty.jar"), List.of(), Map.of("README.txt", "no environment here"));
    add("plugin-no-environment", 1, List.of("empty.jar", "holds no batchq environment", PluginJars.SERVICES),
        List.of(out("pe.parquet")), "collect", "--plugin", empty.toString(), "--episodes", "2", "--out", out("pe.parquet").toString());
    Path broken = PluginJars.build(dir.resolve("broken.jar"), List.of(PluginJars.source(dir, "Broken", """
        package org.example.test;
        import org.batchq.env.*;
        public final class Broken implements EnvironmentProvider {
          public EnvSpec spec() { return new EnvSpec("Broken-v0", 1, 2, 20, 1); }
          public Environment environment() {
            return new Environment() {
              int steps;
              public void reset(Rng rng, float[] obs) { obs[0] = 0; }
              public Step step(int action, float[] obs) {
                if (++steps == 10) throw new IllegalStateException("the valve is stuck");
                return new Step(0, false);
              }
            };
          }
        }
        """)), Map.of(PluginJars.SERVICES, "org.example.test.Broken\n"));
    add("plugin-step-throws", 1, List.of("broken.jar", "Broken-v0 step", "the valve is stuck"),
        List.of(out("pt.parquet")), "collect", "--plugin", broken.toString(), "--env", "Broken-v0", "--episodes", "5",
        "--out", out("pt.parquet").toString());
    add("env-unknown", 2, List.of("unknown environment 'Bogus-v9'", "CartPole-v1", "Acrobot-v1", "Chain-v0",
        "--plugin"), List.of(out("eu.parquet")), "collect", "--plugin", chain.toString(), "--env", "Bogus-v9", "--episodes", "2", "--out",
        out("eu.parquet").toString());
    Path chainData = dir.resolve("chain.parquet");
    Cli.ok("collect", "--plugin", chain.toString(), "--env", "Chain-v0", "--episodes", "5", "--out",
        chainData.toString());
    add("plugin-not-loaded", 1, List.of("chain.parquet", "Chain-v0", "plugin chain.jar", "--plugin"),
        List.of(out("pn")), "fit", chainData.toString(), "--out", out("pn").toString());
  }

  /** A JSON file that is not a configuration (no learner). */
  static Path notSettings() {
    Path f = dir.resolve("not-settings.json");
    try {
      Files.writeString(f, "{\"iterations\": 5}\n");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return f;
  }

  /** A copy of the data with one byte flipped in the middle of the first data page. */
  static Path flipInFirstPage() throws IOException {
    Path f = dir.resolve("flipped.parquet");
    byte[] b = Files.readAllBytes(data);
    b[200] ^= 0x10; // past the 4-byte magic and the first page header, inside compressed page data
    Files.write(f, b);
    return f;
  }

  static List<String> documentedIds() throws IOException {
    return Files.readAllLines(Path.of("docs", "errors.md")).stream()
        .filter(l -> l.matches("\\| [a-z-]+ \\|.*"))
        .map(l -> l.split("\\|")[1].trim())
        .filter(id -> !id.equals("id"))
        .toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documentedIds")
  void eachDocumentedFailureGivesItsMessageAndCodeAndLeavesNothing(String id) throws Exception {
    if (id.equals("disk-full") || id.equals("concurrent-writer")) {
      return; // need another process: their own tests below
    }
    Case c = CASES.get(id);
    assertNotNull(c, "docs/errors.md lists '" + id + "' but ErrorsTest has no case for it");
    Cli.Result r = Cli.run(c.args().toArray(String[]::new));
    String err = r.err().strip();
    assertEquals(c.code(), r.exitCode(), id + ": " + err);
    assertEquals(1, err.lines().count(), id + ": one line, no stack trace: " + err);
    for (String s : c.says()) {
      assertTrue(err.contains(s), id + ": says '" + s + "': " + err);
    }
    for (Path p : c.absent()) {
      assertFalse(Files.exists(p), id + ": no output " + p);
    }
    if (Files.exists(dir.resolve("out"))) {
      try (Stream<Path> left = Files.list(dir.resolve("out"))) {
        assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
            id + ": no temporary left");
      }
    }
    assertEquals("precious", Files.readString(dir.resolve("exists.parquet")), "an existing output is untouched");
  }

  @Test
  void verboseAddsTheStackTrace() {
    Cli.Result r = Cli.run("--verbose", "fit", dir.resolve("nope.parquet").toString(), "--out", out("v").toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("\tat org.batchq."), r.err());
  }

  /** A child JVM running batchq with the test's classpath. */
  static ProcessBuilder batchq(String shellPrefix, String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        org.batchq.cli.Main.class.getName()));
    cmd.addAll(List.of(args));
    String line = String.join(" ", cmd.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
    return new ProcessBuilder("bash", "-c", shellPrefix + " exec " + line).redirectErrorStream(false);
  }

  @Test
  void aFullDiskGivesOneLineAndLeavesNoOutput() throws Exception {
    Path o = out("full.parquet");
    Files.createDirectories(o.getParent());
    // An 8 MiB file-size limit (room for native libraries to unpack) with SIGXFSZ ignored, so that writes past it fail
    // with EFBIG as on a full disk; 40,000 episodes make about 27 MB of Parquet.
    Process p = batchq("ulimit -f 8192; trap '' XFSZ;", "collect", "--episodes", "40000", "--out", o.toString()).start();
    String err = new String(p.getErrorStream().readAllBytes()).strip();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue(), err);
    // Standard error also carries progress lines (not a terminal); the failure itself is one line, no stack trace.
    List<String> lines = err.lines().toList();
    String last = lines.get(lines.size() - 1);
    assertTrue(last.startsWith("batchq collect: ") && last.contains("full.parquet") && last.contains("File too large"), err);
    assertTrue(lines.stream().allMatch(l -> l.startsWith("batchq collect: ") || l.startsWith("collect: ")), err);
    assertFalse(Files.exists(o));
    try (Stream<Path> left = Files.list(o.getParent())) {
      assertTrue(left.noneMatch(f -> f.getFileName().toString().startsWith(".full.parquet.tmp")), "temporary removed");
    }
  }

  @Test
  void aSecondWriterOfTheSameOutputFailsAtOnce() throws Exception {
    Path o = out("shared.parquet");
    Files.createDirectories(o.getParent());
    try (AtomicOutput first = AtomicOutput.begin(o, false)) {
      Process p = batchq("", "collect", "--episodes", "5", "--out", o.toString()).start();
      String err = new String(p.getErrorStream().readAllBytes()).strip();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(1, p.exitValue(), err);
      assertTrue(err.contains("shared.parquet") && err.contains("another batchq process"), err);
      assertFalse(Files.exists(o));
    }
    Cli.ok("collect", "--episodes", "5", "--out", o.toString()); // once the lock is released, writing works
  }
}
