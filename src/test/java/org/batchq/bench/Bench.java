package org.batchq.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleConsumer;
import java.util.function.Supplier;
import org.batchq.cli.Main;
import org.batchq.data.ColumnMapping;
import org.batchq.data.Dataset;
import org.batchq.env.CartPole;
import org.batchq.env.Environments;
import org.batchq.env.Rng;
import org.batchq.env.VectorEnv;
import org.batchq.eval.Evaluation;
import org.batchq.fqi.Fqi;
import org.batchq.fqi.FqiData;
import org.batchq.fqi.TrainingData;
import org.batchq.io.Hashing;
import org.batchq.learner.Regressor;
import org.batchq.learner.xgboost.NativeQFunctions;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.model.ModelBundle;
import org.batchq.policy.GreedyPolicy;
import org.batchq.policy.Policy;
import org.batchq.runtime.ActionValues;
import org.batchq.runtime.Bundle;
import org.batchq.runtime.QFunction;
import org.batchq.runtime.TreeForm;
import org.batchq.testing.ForwardingRegressor;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

/**
 * {@code make bench}: throughput of each stage, printed as a table (docs/BENCHMARKS.md records the figures).
 * Each fit configuration runs in its own JVM so that its peak memory is its own. Not a test: nothing is asserted.
 *
 * <p>Usage: {@code Bench [sim|collect|fit|breakdown|evaluate|python|ope]...} (default: all sections).
 */
public final class Bench {
  private static final Path WORK = Path.of("target", "bench");

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("fit-child")) {
      fitChild(args);
      return;
    }
    List<String> sections = args.length == 0 ? List.of("sim", "collect", "fit", "breakdown", "evaluate", "python",
        "ope")
        : List.of(args);
    Files.createDirectories(WORK);
    System.out.printf("batchq bench on %d cores, %s, Java %s%n%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.arch"), System.getProperty("java.version"));
    if (sections.contains("sim")) {
      sim();
    }
    if (sections.contains("collect")) {
      collect();
    }
    if (sections.contains("fit")) {
      fit();
    }
    if (sections.contains("breakdown")) {
      breakdown();
    }
    if (sections.contains("evaluate")) {
      evaluate();
    }
    if (sections.contains("python")) {
      pythonComparison();
    }
    if (sections.contains("ope")) {
      ope();
    }
  }

  // ---- ope ---------------------------------------------------------------------------------------------------

  /**
   * {@code ope} of 10 policies on 100,000 transitions against 10 fits of the same size at the same iterations and
   * learner (20 trees per iteration, 2 threads): the estimators and their bookkeeping should add little to FQE's
   * fits. Then the same {@code ope} with its default intervals, to show what they cost. Runs alternate; medians.
   */
  static void ope() throws Exception {
    System.out.println("## ope: 10 policies on 100,000 transitions, 50 iterations of 20 trees (single), 2 threads");
    Path data = dataset(100_000);
    Path model = WORK.resolve("ope-model");
    run("fit", data.toString(), "--iterations", "5", "--trees", "10", "--out", model.toString(), "--force");
    List<String> ope = new ArrayList<>(List.of("ope", data.toString()));
    for (int i = 0; i < 10; i++) {
      ope.add(model.toString());
    }
    ope.addAll(List.of("--iterations", "50", "--threads", "2", "--format", "json"));
    List<String> noIntervals = new ArrayList<>(ope);
    noIntervals.addAll(List.of("--bootstrap", "0"));
    double[] fits = new double[3];
    double[] opes = new double[3];
    for (int r = 0; r < 3; r++) {
      long t = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        run("fit", data.toString(), "--iterations", "50", "--trees", "20", "--threads", "2", "--validation-fraction",
            "0", "--out", WORK.resolve("ope-fit").toString(), "--force");
      }
      fits[r] = (System.nanoTime() - t) / 1e9;
      t = System.nanoTime();
      run(noIntervals.toArray(String[]::new));
      opes[r] = (System.nanoTime() - t) / 1e9;
    }
    long t = System.nanoTime();
    run(ope.toArray(String[]::new));
    double withIntervals = (System.nanoTime() - t) / 1e9;
    Arrays.sort(fits);
    Arrays.sort(opes);
    System.out.printf("%-44s %9s%n", "what", "seconds");
    System.out.printf("%-44s %9.1f%n", "10 fits (median of 3)", fits[1]);
    System.out.printf("%-44s %9.1f   (%.2f x the fits)%n", "ope, all estimators, --bootstrap 0 (median)", opes[1],
        opes[1] / fits[1]);
    System.out.printf("%-44s %9.1f   (%.2f x without intervals)%n", "ope with its default intervals (200, 4 refits)",
        withIntervals, withIntervals / opes[1]);
    System.out.println();
  }

  // ---- simulator -------------------------------------------------------------------------------------------

  static void sim() {
    System.out.println("## simulators: steps/s (random actions, no I/O, best of 5)");
    System.out.printf("%-16s %15s %22s %22s%n", "environment", "scalar (1 env)", "vectorised (64 envs)",
        "vectorised (1024 envs)");
    for (String id : Environments.ids()) {
      // Acrobot's RK4 step costs about 20 times CartPole's: fewer steps give the same measuring time.
      long total = id.startsWith("Acrobot") ? 2_000_000 : 20_000_000;
      System.out.printf("%-16s %,15.0f %,22.0f %,22.0f%n", id, best(() -> stepRate(id, 1, total)),
          best(() -> stepRate(id, 64, 2 * total)), best(() -> stepRate(id, 1024, 2 * total)));
    }
    System.out.println();
  }

  /** Steps n environments for about {@code total} steps; finished slots are stepped on, as the rollout does. */
  static double stepRate(String id, int n, long total) {
    VectorEnv env = Environments.make(id, n);
    int d = env.spec().observationSize();
    float[] obs = new float[n * d];
    float[] next = new float[n * d];
    float[] reward = new float[n];
    boolean[] term = new boolean[n];
    boolean[] trunc = new boolean[n];
    Rng rng = Rng.derive(1);
    for (int i = 0; i < n; i++) {
      env.reset(i, rng, obs, i * d);
    }
    // Pre-drawn random action rows, so that the figure is the simulator's own.
    int[][] actions = new int[64][n];
    for (int[] row : actions) {
      for (int i = 0; i < n; i++) {
        row[i] = rng.nextInt(env.spec().actionCount());
      }
    }
    long steps = total / n;
    long start = System.nanoTime();
    for (long s = 0; s < steps; s++) {
      env.step(actions[(int) (s & 63)], next, reward, term, trunc);
      for (int i = 0; i < n; i++) {
        if (term[i] || trunc[i]) {
          env.reset(i, rng, obs, i * d);
        }
      }
    }
    return steps * n / ((System.nanoTime() - start) / 1e9);
  }

  interface Rate {
    double run() throws Exception;
  }

  static double best(Rate r) {
    double best = 0;
    try {
      for (int i = 0; i < 5; i++) {
        best = Math.max(best, r.run());
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return best;
  }

  // ---- collect ---------------------------------------------------------------------------------------------

  static void collect() throws Exception {
    System.out.println("## collect: whole command, random policy, Parquet ZSTD (best of 3)");
    System.out.printf("%-12s %12s %15s %18s%n", "episodes", "transitions", "transitions/s", "bytes/transition");
    for (int episodes : new int[] {10_000, 50_000}) {
      Path out = WORK.resolve("collect-" + episodes + ".parquet");
      double best = 0;
      for (int i = 0; i < 3; i++) {
        long t = System.nanoTime();
        run("collect", "--episodes", Integer.toString(episodes), "--seed", "1", "--out", out.toString(), "--force");
        best = Math.max(best, 1 / ((System.nanoTime() - t) / 1e9));
      }
      long rows = countRows(out);
      System.out.printf("%-12d %,12d %,15.0f %18.1f%n", episodes, rows, rows * best, (double) Files.size(out) / rows);
    }
    System.out.println();
  }

  static long countRows(Path file) {
    Dataset ds = Dataset.open(List.of(file.toString()),
        ColumnMapping.BATCHQ, null);
    return ds.rows();
  }

  static void run(String... args) {
    java.io.PrintStream out = System.out;
    java.io.PrintStream err = System.err;
    try {
      System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      int code = Main.run(args);
      if (code != 0) {
        throw new IllegalStateException("batchq " + String.join(" ", args) + " exited " + code);
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  // ---- fit ---------------------------------------------------------------------------------------------------

  /** Random-policy episodes that give about {@code rows} transitions (22.2 steps on average). */
  static Path dataset(int rows) {
    Path out = WORK.resolve("random-" + rows + ".parquet");
    if (!Files.exists(out)) {
      run("collect", "--episodes", Integer.toString((int) Math.round(rows / 22.2)), "--seed", "1", "--out", out.toString());
    }
    return out;
  }

  static void fit() throws Exception {
    System.out.println("## fit: XGBoost FQI, 100 trees of depth 6 per iteration, 2 threads, 10 iterations");
    System.out.printf("%-10s %12s %14s %16s %13s %14s%n", "algorithm", "transitions", "s/iteration", "inside XGBoost",
        "total s", "peak RSS MiB");
    for (int rows : new int[] {100_000, 1_000_000}) {
      Path data = dataset(rows);
      for (String algorithm : List.of("multiple", "single")) {
        System.out.println(child(data, algorithm, "10", "100", "false"));
      }
    }
    System.out.println();
  }

  /** Runs one fit in a fresh JVM and returns its table line. */
  static String child(Path data, String algorithm, String iterations, String rounds, String warm) throws Exception {
    String cp = System.getProperty("java.class.path");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx16g", "-cp",
        cp, Bench.class.getName(), "fit-child", data.toString(), algorithm, iterations, rounds, warm)
        .redirectErrorStream(true).start();
    String last = "";
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      for (String line; (line = r.readLine()) != null; ) {
        last = line;
      }
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException("fit child failed: " + last);
    }
    return last;
  }

  static void fitChild(String[] args) throws Exception {
    Path data = Path.of(args[1]);
    String algorithm = args[2];
    Path out = WORK.resolve("model-" + algorithm);
    List<String> cmd = new ArrayList<>(List.of("fit", data.toString(), "--algorithm", algorithm, "--iterations", args[3],
        "--trees", args[4], "--threads", "2", "--validation-fraction", "0", "--out", out.toString(), "--force",
        "--format", "json"));
    if (Boolean.parseBoolean(args[5])) {
      cmd.add("--warm-start");
    }
    long t = System.nanoTime();
    run(cmd.toArray(String[]::new));
    double total = (System.nanoTime() - t) / 1e9;
    var manifest = ModelBundle.manifest(out);
    double learner = ((Number) manifest.run().get("learner_seconds")).doubleValue();
    double fitSeconds = ((Number) manifest.run().get("fit_seconds")).doubleValue();
    System.out.printf("%-10s %,12d %14.3f %15.1f%% %13.2f %14d%n", algorithm, countRows(data),
        fitSeconds / Integer.parseInt(args[3]), 100 * learner / total, total, peakRssMiB());
  }

  static long peakRssMiB() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }

  /**
   * Where a fit's time goes, at the Python peer's settings (1,000 random episodes, 50 iterations of 100 trees, 2
   * threads, no held-out split): the JVM's start, reading and decoding the file, hashing it for the manifest, and
   * inside FQI building XGBoost's matrices, training, the predictions FQI needs, and the rest (targets, diagnostics).
   * FQI runs here through a regressor that times each call, in this process, after one untimed warm-up fit.
   */
  static void breakdown() throws Exception {
    Path data = WORK.resolve("random-1k.parquet");
    if (!Files.exists(data)) {
      run("collect", "--episodes", "1000", "--seed", "1", "--out", data.toString());
    }
    double jvm = timed(LAUNCHER, "--version");
    System.out.println("## where a fit's time goes (22,233 transitions, 50 iterations of 100 trees, 2 threads), s");
    System.out.printf("%-10s %6s %8s %8s %9s %9s %12s %7s %8s %10s%n", "algorithm", "jvm", "read", "hash",
        "matrices", "training", "predictions", "other", "total", "training %");
    for (String form : List.of("single", "multiple")) {
      long t = System.nanoTime();
      FqiData train = TrainingData.decode(Dataset.open(
          List.of(data.toString()), ColumnMapping.BATCHQ, null)).split(0, 0).train();
      double read = (System.nanoTime() - t) / 1e9;
      t = System.nanoTime();
      Hashing.sha256(data);
      double hash = (System.nanoTime() - t) / 1e9;
      TreeForm treeForm = TreeForm.valueOf(form.toUpperCase());
      XgboostSettings settings = XgboostSettings
          .defaults(treeForm, 1).withThreads(2);
      Fqi.Schedule schedule = new Fqi.Schedule(50, 0.99, false, 1);
      for (int warm = 0; warm < 2; warm++) {
        try (TimedRegressor r = new TimedRegressor(settings.create(4, 2))) {
          t = System.nanoTime();
          Fqi.fit(train, null, warm == 0 ? new Fqi.Schedule(3, 0.99, false, 1) : schedule,
              r, null, it -> {}).q().close();
          double fqi = (System.nanoTime() - t) / 1e9;
          if (warm == 1) {
            double total = jvm + read + hash + fqi;
            System.out.printf("%-10s %6.2f %8.2f %8.2f %9.2f %9.2f %12.2f %7.2f %8.2f %9.1f%%%n", form, jvm, read, hash,
                r.matrices, r.training, r.predictions, fqi - r.matrices - r.training - r.predictions, total,
                100 * r.training / total);
          }
        }
      }
    }
    System.out.println();
  }

  /** A regressor that times what it is asked for: matrix building, training, and predictions. */
  static final class TimedRegressor extends ForwardingRegressor {
    double matrices;
    double training;
    double predictions;

    TimedRegressor(Regressor inner) {
      super(inner);
    }

    private <T> T time(Supplier<T> work, DoubleConsumer add) {
      long t = System.nanoTime();
      try {
        return work.get();
      } finally {
        add.accept((System.nanoTime() - t) / 1e9);
      }
    }

    @Override
    public StateSet states(float[] obs, int rows) {
      return time(() -> inner.states(obs, rows), s -> matrices += s);
    }

    @Override
    public StateSet states(float[] obs, int rows, int[] knownAction) {
      return time(() -> inner.states(obs, rows, knownAction), s -> matrices += s);
    }

    @Override
    public QFunction fit(StateSet states, int[] actions, float[] targets, QFunction previous) {
      return time(() -> inner.fit(states, actions, targets, previous), s -> training += s);
    }

    @Override
    public float[] predict(QFunction q, StateSet states) {
      return time(() -> inner.predict(q, states), s -> predictions += s);
    }

    @Override
    public float[] predict(QFunction q, StateSet states, float[] known) {
      return time(() -> inner.predict(q, states, known), s -> predictions += s);
    }

    @Override
    public float[] predictTaken(QFunction q, StateSet states, int[] actions) {
      return time(() -> inner.predictTaken(q, states, actions), s -> predictions += s);
    }
  }

  // ---- evaluate --------------------------------------------------------------------------------------------

  static void evaluate() throws Exception {
    for (TreeForm form : TreeForm.values()) {
      evaluate(form);
    }
    latency(WORK.resolve("eval-model"));
  }

  /**
   * The multiple form's model is eval-model (100 trees per action); the single form's, 100 trees for both. Each
   * way of predicting is timed in this one process, alternating, best of 5: batchq's trees walked from their arrays
   * (the default), one call per environment, compiled to bytecode (after a warm-up), and XGBoost4J's batched
   * prediction on one thread and on two; the ratios are against the faster of XGBoost4J's two.
   */
  static void evaluate(TreeForm form) throws Exception {
    Path model = WORK.resolve(form == TreeForm.MULTIPLE ? "eval-model" : "eval-model-single");
    run("fit", dataset(100_000).toString(), "--algorithm", form.algorithm(), "--iterations", "2", "--trees", "100",
        "--out", model.toString(), "--force");
    System.out.println("## evaluate: greedy policy over a 100-tree model (" + form.algorithm()
        + (form == TreeForm.MULTIPLE ? ", 100 trees per action" : ", 100 trees for both actions") + "), policy steps/s");
    System.out.printf("%-6s %12s %12s %16s %14s %14s %8s %14s%n", "envs", "batched", "per env", "compiled, warm",
        "XGBoost4J x1", "XGBoost4J x2", "ratio", "compiled ratio");
    try (GreedyPolicy policy = GreedyPolicy.load(model);
        QGreedy compiled = new QGreedy(Bundle.load(model).withCompiledTrees().q(), "compiled trees");
        QGreedy xgboost1 = new QGreedy(NativeQFunctions.load(model, form, 4, 2, 1), "xgboost4j, 1 thread");
        QGreedy xgboost2 = new QGreedy(NativeQFunctions.load(model, form, 4, 2, 2), "xgboost4j, 2 threads")) {
      // The compiled trees are measured once the JIT has compiled them: what a service acting for minutes sees.
      long warm = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < warm) {
        Evaluation.run(compiled, "CartPole-v1", 1000, 128, 1, 0, i -> {});
      }
      List<Policy> ways = List.of(policy, new PerEnv(policy), compiled, xgboost1, xgboost2);
      for (int envs : new int[] {1, 16, 128}) {
        double[] best = new double[ways.size()];
        for (int rep = 0; rep < 5; rep++) {
          for (int w = 0; w < ways.size(); w++) {
            int episodes = ways.get(w) instanceof PerEnv ? 400 : 1000;
            best[w] = Math.max(best[w], Evaluation.run(ways.get(w), "CartPole-v1", episodes, envs, 1, 0, i -> {})
                .stepsPerSecond());
          }
        }
        double xgboost = Math.max(best[3], best[4]);
        System.out.printf("%-6d %,12.0f %,12.0f %,16.0f %,14.0f %,14.0f %8.2f %14.2f%n", envs, best[0], best[1],
            best[2], best[3], best[4], best[0] / xgboost, best[2] / xgboost);
      }
    }
    System.out.println();
  }

  /**
   * One observation's action through the runtime artifact ({@code Bundle.act}), as a service calls it: JMH's
   * sampled time per call ({@link ActLatency}) in a JVM of its own, after its warm-up.
   */
  static void latency(Path model) throws Exception {
    System.out.println("## runtime: one observation's action through Bundle.act (100 trees per action, multiple),"
        + " JMH sample time, 3 JVMs");
    // The array walk's speed differs between JVMs of one command (about 2 or about 6 us per call here, whatever
    // the collector; docs/BENCHMARKS.md), so each JVM's median is shown beside the pooled one.
    for (RunResult result : new Runner(new OptionsBuilder().include(ActLatency.class.getName())
        .param("bundle", model.toAbsolutePath().toString()).forks(3).warmupIterations(5)
        .warmupTime(TimeValue.seconds(1)).measurementIterations(5).measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("-Djava.awt.headless=true").verbosity(VerboseMode.SILENT).build()).run()) {
      Statistics stats = result.getPrimaryResult().getStatistics();
      String perJvm = result.getBenchmarkResults().stream()
          .map(b -> String.format("%.2f", b.getPrimaryResult().getStatistics().getPercentile(50)))
          .collect(java.util.stream.Collectors.joining(", "));
      System.out.printf("%-9s median %.2f us per call (each JVM's: %s; p5 %.2f, p95 %.2f, p99 %.2f; %,d samples)%n",
          result.getParams().getParam("trees"), stats.getPercentile(50), perJvm, stats.getPercentile(5),
          stats.getPercentile(95), stats.getPercentile(99), stats.getN());
    }
    System.out.println();
  }

  /**
   * A greedy policy over any Q-function: XGBoost4J's native batched {@code inplace_predict} (one thread per call, as
   * batchq loaded boosters before the plain-Java trees), the baseline the Java walk is measured against; or the
   * runtime's trees compiled to bytecode.
   */
  record QGreedy(QFunction q, String describe) implements Policy, AutoCloseable {
    @Override
    public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
      ActionValues.argmax(q.predict(obs, rows), rows, q.actionCount(), actions);
      java.util.Arrays.fill(probabilities, 0, rows, 1f);
    }

    @Override
    public void distribution(float[] obs, int rows, float[] out) {
      int[] actions = new int[rows];
      act(obs, rows, null, actions, new float[rows]);
      Policy.oneHot(actions, rows, q.actionCount(), out);
    }

    @Override
    public void close() {
      q.close();
    }
  }

  /** The unbatched baseline: one prediction call per environment per step. */
  record PerEnv(GreedyPolicy greedy) implements Policy {
    @Override
    public void act(float[] obs, int rows, Rng[] rngs, int[] actions, float[] probabilities) {
      for (int i = 0; i < rows; i++) {
        actions[i] = greedy.act(java.util.Arrays.copyOfRange(obs, i * 4, i * 4 + 4), 1)[0];
      }
    }

    @Override
    public void distribution(float[] obs, int rows, float[] out) {
      greedy.distribution(obs, rows, out);
    }

    @Override
    public String describe() {
      return "per-env";
    }
  }

  // ---- the Python FQI comparison ---------------------------------------------------------------------------

  static final Path PEER = Path.of("..", "shared", "peers", "fqi_xgboost.py");
  /** Whole commands are timed as a user runs them: through the launcher, with its class-data archive. */
  static final String LAUNCHER = Path.of("bin", "batchq").toString();
  static final String PYTHON = "/usr/bin/python3";

  /**
   * batchq's {@code fit} against the Python peer of ../shared/peers (a plain XGBoost FQI) on the same 1,000 random
   * episodes, 50 iterations of 100 trees, depth 6, eta 0.3, 2 threads, no held-out split: both whole commands
   * (process start, reading and all) timed side by side, alternating, 5 times each; the medians and their ratio.
   * Skipped, with a line saying why, where the peer or Debian's python3-xgboost is missing.
   */
  static void pythonComparison() throws Exception {
    System.out.println("## fit against the Python peer (../shared/peers/fqi_xgboost.py): 1,000 random episodes, 50"
        + " iterations of 100 trees, depth 6, eta 0.3, 2 threads; whole commands, median of 5 alternating runs");
    if (!Files.exists(PEER)) {
      System.out.println("skipped: " + PEER + " not found\n");
      return;
    }
    Process check = new ProcessBuilder(PYTHON, "-c", "import xgboost, numpy, sklearn").redirectErrorStream(true)
        .start();
    if (check.waitFor() != 0) {
      System.out.println("skipped: " + PYTHON + " lacks xgboost, numpy or sklearn (apt-get install -y python3-xgboost"
          + " python3-numpy python3-sklearn)\n");
      return;
    }
    Path data = WORK.resolve("random-1k.parquet");
    if (!Files.exists(data)) {
      run("collect", "--episodes", "1000", "--seed", "1", "--out", data.toString());
    }
    Path csv = WORK.resolve("random-1k.csv");
    writePeerCsv(data, csv);
    System.out.printf("%-10s %12s %12s %10s %22s%n", "algorithm", "batchq s", "python s", "ratio", "batchq inside XGBoost");
    for (String form : List.of("single", "multiple")) {
      Path out = WORK.resolve("peer-model-" + form);
      double[] ours = new double[5];
      double[] theirs = new double[5];
      double inside = 0;
      for (int i = 0; i < 5; i++) {
        ours[i] = timed(LAUNCHER, "fit", data.toString(), "--algorithm",
            form, "--iterations", "50", "--trees", "100", "--threads", "2", "--validation-fraction", "0", "--out",
            out.toString(), "--force");
        double learner = ((Number) ModelBundle.manifest(out).run().get("learner_seconds")).doubleValue();
        inside += learner / ours[i] / 5;
        theirs[i] = timed(PYTHON, PEER.toString(), csv.toString(), "--form", form, "--iterations", "50", "--threads", "2");
      }
      Arrays.sort(ours);
      Arrays.sort(theirs);
      System.out.printf("%-10s %12.2f %12.2f %9.2fx %21.1f%%%n", form, ours[2], theirs[2], theirs[2] / ours[2],
          100 * inside);
    }
    System.out.println("ratio: the peer's time over batchq's (above 1: batchq is faster)\n");
  }

  /** The peer's input: o1..oN, action, reward, n1..nN, term, one row per transition. */
  static void writePeerCsv(Path data, Path csv) throws Exception {
    FqiData rows = TrainingData.decode(Dataset.open(
        List.of(data.toString()), ColumnMapping.BATCHQ, null)).split(0, 0).train();
    int d = rows.observationSize();
    StringBuilder sb = new StringBuilder();
    for (int k = 1; k <= d; k++) {
      sb.append('o').append(k).append(',');
    }
    sb.append("action,reward");
    for (int k = 1; k <= d; k++) {
      sb.append(",n").append(k);
    }
    sb.append(",term\n");
    for (int i = 0; i < rows.rows(); i++) {
      for (int k = 0; k < d; k++) {
        sb.append(rows.obs()[i * d + k]).append(',');
      }
      sb.append(rows.actions()[i]).append(',').append(rows.rewards()[i]);
      for (int k = 0; k < d; k++) {
        sb.append(',').append(rows.nextObs()[i * d + k]);
      }
      sb.append(',').append(rows.terminal()[i] ? 1 : 0).append('\n');
    }
    Files.writeString(csv, sb);
  }

  /** Wall seconds of one whole command, which must succeed. */
  static double timed(String... command) throws Exception {
    long t = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
    return (System.nanoTime() - t) / 1e9;
  }
}
