package org.batchq.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.batchq.eval.Evaluation;
import org.batchq.eval.Stats;
import org.batchq.io.Json;
import org.batchq.policy.EpsilonGreedyPolicy;
import org.batchq.policy.GreedyPolicy;
import org.batchq.policy.Policy;
import org.batchq.policy.RandomPolicy;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code make ope-experiment}: off-policy estimates checked against the truth, written to docs/ope.md (between
 * {@code <!-- ope:begin -->} and {@code <!-- ope:end -->}) and docs/ope-estimate-vs-truth.png.
 *
 * <p>In CartPole-v1: a log of 1,000 episodes from epsilon-greedy (0.3) over a middling model (fitted on 300 random
 * episodes, 20 iterations; none of the evaluated policies); 22 targets: random, behaviour cloning on the log, and
 * rounds 0-9 of {@code batchq run --seed 1}, each greedy and epsilon-greedy at 0.3. The truth is each target's
 * online discounted return at the same gamma over 1,000 episodes of seed {@value #TRUTH_SEED}, whose streams are
 * disjoint from the log's. Every step is cached under target/ope-experiment, so an interrupted experiment resumes.
 * {@code OPE_OPTIONS} (environment) adds options to every {@code batchq ope} call; such a variant is cached, reported
 * and plotted apart from the defaults (its own block of docs/ope.md, marked with its options), so the defaults' table
 * stays what the defaults give. Its {@code --estimators} decide the estimators reported.
 */
public final class OpeExperiment {
  static final Path WORK = Path.of("target", "ope-experiment");
  static final Path DOC = Path.of("docs", "ope.md");
  static final Path PLOT = Path.of("docs", "ope-estimate-vs-truth.png");
  static final String ENV = "CartPole-v1";
  static final double GAMMA = 0.99;
  static final int TRUTH_EPISODES = 1000;
  static final long TRUTH_SEED = 5000;
  static final double EPSILON = 0.3;
  static final List<String> DEFAULT_ESTIMATORS = List.of("fqe", "pdis", "wpdis", "dr", "wdr", "mb");

  /** The options every {@code ope} call gets, the estimators they ask for, and where this variant's results go. */
  record Variant(List<String> options, List<String> estimators) {
    static Variant fromEnvironment() {
      String extra = System.getenv().getOrDefault("OPE_OPTIONS", "").trim();
      return fromOptions(extra.isEmpty() ? List.of() : List.of(extra.split("\\s+")));
    }

    static Variant fromOptions(List<String> options) {
      int at = options.indexOf("--estimators");
      List<String> estimators = at >= 0 && at + 1 < options.size()
          ? List.of(options.get(at + 1).split(",")) : DEFAULT_ESTIMATORS;
      return new Variant(options, estimators);
    }

    boolean isDefault() {
      return options.isEmpty();
    }

    /** A file-name-safe name of the options ("" for the defaults). */
    String slug() {
      return String.join("_", options).replaceAll("[^A-Za-z0-9.,_-]", "").replace(',', '+');
    }

    Path cache() {
      return isDefault() ? WORK.resolve("ope") : WORK.resolve("ope-" + slug());
    }

    Path plot() {
      return isDefault() ? PLOT : PLOT.resolveSibling("ope-estimate-vs-truth-" + slug() + ".png");
    }

    /** The marker {@code which} ("begin" or "end") of this variant's block in docs/ope.md. */
    String marker(String which) {
      return "<!-- ope:" + which + (isDefault() ? "" : " " + String.join(" ", options)) + " -->";
    }
  }

  /** A target: its name, its bundle (null for random) and its exploration rate. */
  record Target(String name, Path bundle, double epsilon) {}

  /** One estimator's estimate of one target, with its interval and trust, beside the truth. */
  record Point(double truth, double truthSe, double estimate, double lo, double hi, boolean trusted) {}

  public static void main(String[] args) throws Exception {
    Variant variant = Variant.fromEnvironment();
    Files.createDirectories(variant.cache());
    long start = System.nanoTime();
    String run = "seed1";
    Path runModels = WORK.resolve("models").resolve(run);
    if (!Files.exists(WORK.resolve("runs").resolve(run + ".json"))) {
      Experiment.cli("run", "--dir", WORK.toString(), "--name", run, "--seed", "1", "--resume");
    }
    Path middlingData = WORK.resolve("middling-data.parquet");
    Path middling = WORK.resolve("middling");
    Path log = WORK.resolve("log.parquet");
    Path bc = WORK.resolve("bc");
    if (!Files.exists(middlingData)) {
      Experiment.cli("collect", "--episodes", "300", "--seed", "101", "--out", middlingData.toString());
    }
    if (!Files.exists(middling)) {
      Experiment.cli("fit", middlingData.toString(), "--iterations", "20", "--seed", "101", "--out", middling.toString());
    }
    if (!Files.exists(log)) {
      Experiment.cli("collect", "--policy", "epsilon-greedy", "--model", middling.toString(), "--epsilon", "0.3",
          "--episodes", "1000", "--seed", "102", "--out", log.toString());
    }
    if (!Files.exists(bc)) {
      Experiment.cli("fit", log.toString(), "--algorithm", "bc", "--seed", "103", "--out", bc.toString());
    }
    List<Target> targets = new ArrayList<>();
    targets.add(new Target("random", null, 0));
    targets.add(new Target("bc", bc, 0));
    for (int r = 0; r < 10; r++) {
      targets.add(new Target(String.format("r%d greedy", r), runModels.resolve(String.format("round-%02d", r)), 0));
    }
    for (int r = 0; r < 10; r++) {
      targets.add(new Target(String.format("r%d eps0.3", r), runModels.resolve(String.format("round-%02d", r)),
          EPSILON));
    }
    Truth middlingTruth = truth(new Target("middling greedy", middling, 0));

    List<Truth> truths = new ArrayList<>();
    List<JsonNode> estimates = new ArrayList<>();
    double opeSeconds = 0;
    for (Target t : targets) {
      truths.add(truth(t));
      Path cached = variant.cache().resolve(t.name().replace(' ', '-') + ".json");
      if (!Files.exists(cached)) {
        List<String> a = new ArrayList<>(List.of("ope", log.toString(), t.bundle() == null ? "random"
            : t.bundle().toString(), "--target-epsilon", Double.toString(t.epsilon()), "--format", "json"));
        a.addAll(variant.options());
        long s = System.nanoTime();
        String out = Experiment.cliOut(a.toArray(String[]::new));
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.set("rows", Json.MAPPER.readTree(out));
        o.put("seconds", (System.nanoTime() - s) / 1e9);
        Files.writeString(cached, Json.write(o));
        System.err.printf("ope %s: %.0f s%n", t.name(), (System.nanoTime() - s) / 1e9);
      }
      JsonNode o = Json.MAPPER.readTree(cached.toFile());
      opeSeconds += o.get("seconds").asDouble();
      estimates.add(o.get("rows"));
    }
    String md = report(targets, truths, estimates, middlingTruth, variant, opeSeconds, log);
    writeDoc(md, variant);
    System.out.print(md);
    System.err.printf("ope-experiment: %.0f s%n", (System.nanoTime() - start) / 1e9);
  }

  record Truth(double mean, double se, double undiscounted) {}

  /** The online discounted return at GAMMA over TRUTH_EPISODES episodes, cached. */
  static Truth truth(Target t) throws Exception {
    Path cached = WORK.resolve("truth").resolve(t.name().replace(' ', '-') + ".json");
    if (Files.exists(cached)) {
      JsonNode n = Json.MAPPER.readTree(cached.toFile());
      return new Truth(n.get("mean").asDouble(), n.get("se").asDouble(), n.get("undiscounted").asDouble());
    }
    Files.createDirectories(cached.getParent());
    Evaluation.Outcome o;
    if (t.bundle() == null) {
      o = Evaluation.run(new RandomPolicy(2), ENV, TRUTH_EPISODES, 64, TRUTH_SEED, 0, i -> {});
    } else {
      try (GreedyPolicy greedy = GreedyPolicy.load(t.bundle())) {
        Policy p = t.epsilon() > 0 ? new EpsilonGreedyPolicy(greedy, t.epsilon()) : greedy;
        o = Evaluation.run(p, ENV, TRUTH_EPISODES, 64, TRUTH_SEED, 0, i -> {});
      }
    }
    Stats.Summary discounted = Stats.summarize(o.discountedReturns(GAMMA));
    Truth truth = new Truth(discounted.mean(), discounted.std() / Math.sqrt(discounted.n()),
        Stats.summarize(o.returns()).mean());
    Files.writeString(cached, Json.write(truth));
    return truth;
  }

  static JsonNode row(JsonNode rows, String estimator) {
    for (JsonNode r : rows) {
      if (r.get("estimator").asText().equals(estimator)) {
        return r;
      }
    }
    throw new IllegalStateException("no " + estimator + " row");
  }

  static String report(List<Target> targets, List<Truth> truths, List<JsonNode> estimates, Truth middling,
      Variant variant, double opeSeconds, Path log) throws Exception {
    List<String> estimators = variant.estimators();
    JsonNode logged = row(estimates.get(0), "logged");
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Generated by `make ope-experiment` on %s (%d cores, Java %s)%s.%n%n",
        LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        variant.isDefault() ? "" : ", `ope` options `" + String.join(" ", variant.options()) + "`"));
    sb.append(String.format(Locale.ROOT, "Log: %s, 1,000 episodes of epsilon-greedy (0.3) over the middling model"
        + " (greedy: discounted %.2f, return %.1f); its own discounted return %.2f [%.2f, %.2f]. Truth: %d online"
        + " episodes per policy at gamma %.2f. `ope` time for all 22 policies: %.0f s.%n%n", log.getFileName(),
        middling.mean(), middling.undiscounted(), logged.get("estimate").asDouble(), logged.get("ci_lo").asDouble(),
        logged.get("ci_hi").asDouble(), TRUTH_EPISODES, GAMMA, opeSeconds));

    // Per policy: truth and each estimator's estimate (brackets: not trusted).
    sb.append("| policy | return | truth (disc.) |");
    estimators.forEach(e -> sb.append(' ').append(e).append(" |"));
    sb.append("\n|---|---|---|").append("---|".repeat(estimators.size())).append('\n');
    List<List<Point>> points = new ArrayList<>();
    estimators.forEach(e -> points.add(new ArrayList<>()));
    for (int i = 0; i < targets.size(); i++) {
      Truth t = truths.get(i);
      sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.2f +- %.2f |", targets.get(i).name(), t.undiscounted(),
          t.mean(), 2 * t.se()));
      for (int e = 0; e < estimators.size(); e++) {
        JsonNode r = row(estimates.get(i), estimators.get(e));
        boolean trusted = !r.get("trusted").isTextual() || r.get("trusted").asText().equals("yes");
        Point p = new Point(t.mean(), t.se(), r.get("estimate").asDouble(), num(r.get("ci_lo")), num(r.get("ci_hi")),
            trusted);
        points.get(e).add(p);
        String v = String.format(Locale.ROOT, "%.2f [%.1f, %.1f]", p.estimate(), p.lo(), p.hi());
        sb.append(' ').append(trusted ? v : "(" + v + ")").append(" |");
      }
      sb.append('\n');
    }
    sb.append("\nParentheses: flagged (effective sample size below max(30, 5% of episodes)); flagged estimates are"
        + " left out of every figure below.\n\n");

    double lo = truths.stream().mapToDouble(Truth::mean).min().orElseThrow();
    double hi = truths.stream().mapToDouble(Truth::mean).max().orElseThrow();
    sb.append("| estimator | unflagged | mean relative error | Spearman | regret@1 (% of range) | interval coverage |\n")
        .append("|---|---|---|---|---|---|\n");
    for (int e = 0; e < estimators.size(); e++) {
      List<Point> ok = points.get(e).stream().filter(Point::trusted).toList();
      if (ok.isEmpty()) {
        sb.append("| ").append(estimators.get(e)).append(" | 0 of 22 | - | - | - | - |\n");
        continue;
      }
      double rel = ok.stream().mapToDouble(p -> Math.abs(p.estimate() - p.truth()) / Math.abs(p.truth())).average()
          .orElseThrow();
      long covered = ok.stream().filter(p -> p.lo() <= p.truth() && p.truth() <= p.hi()).count();
      String ranking = "- | -";
      if (ok.size() >= 3) { // a ranking of fewer policies says nothing
        Point chosen = ok.stream().max((a, b) -> Double.compare(a.estimate(), b.estimate())).orElseThrow();
        double bestTruth = ok.stream().mapToDouble(Point::truth).max().orElseThrow();
        ranking = String.format(Locale.ROOT, "%.3f | %.1f%%", spearman(ok), 100 * (bestTruth - chosen.truth()) / (hi - lo));
      }
      sb.append(String.format(Locale.ROOT, "| %s | %d of 22 | %.1f%% | %s | %d of %d (%.0f%%) |%n",
          estimators.get(e), ok.size(), 100 * rel, ranking, covered, ok.size(), 100.0 * covered / ok.size()));
    }
    sb.append("\nRanking figures need at least 3 unflagged policies (\"-\" otherwise).");
    sb.append(" Spearman: rank correlation of estimates with truths, truths closer than max(1, 2 standard errors)"
        + " tied (average ranks). regret@1: best truth minus the truth of the policy the estimator ranks first,"
        + " as a share of the range of true values. Coverage: share of 95% intervals that hold the truth.\n\n")
        .append("![estimate against truth](").append(variant.plot().getFileName()).append(")\n");
    plot(points, estimators, variant.plot());
    return sb.toString();
  }

  private static double num(JsonNode n) {
    return n == null || !n.isNumber() ? Double.NaN : n.asDouble();
  }

  /** Spearman's rho with average ranks; truths closer than max(1, 2 standard errors) are ties. */
  static double spearman(List<Point> points) {
    int n = points.size();
    double[] truthRanks = ranks(points.stream().mapToDouble(Point::truth).toArray(),
        points.stream().mapToDouble(p -> Math.max(1, 2 * p.truthSe())).toArray());
    double[] estimateRanks = ranks(points.stream().mapToDouble(Point::estimate).toArray(), new double[n]);
    return pearson(truthRanks, estimateRanks);
  }

  /** Average ranks, where neighbours in sorted order closer than either's tolerance join one tie group. */
  static double[] ranks(double[] x, double[] tolerance) {
    int n = x.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
    double[] ranks = new double[n];
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && x[order[j + 1]] - x[order[j]] < Math.max(Math.max(tolerance[order[j]],
          tolerance[order[j + 1]]), 1e-12)) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        ranks[order[k]] = avg;
      }
      i = j + 1;
    }
    return ranks;
  }

  static double pearson(double[] a, double[] b) {
    double ma = Arrays.stream(a).average().orElseThrow();
    double mb = Arrays.stream(b).average().orElseThrow();
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }

  /** Estimate against truth per estimator, with intervals, and the diagonal. */
  static void plot(List<List<Point>> points, List<String> estimators, Path file) throws Exception {
    XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
    double max = 0;
    for (int e = 0; e < estimators.size(); e++) {
      XYIntervalSeries s = new XYIntervalSeries(estimators.get(e));
      for (Point p : points.get(e)) {
        if (!p.trusted()) {
          continue;
        }
        double lo = Double.isNaN(p.lo()) ? p.estimate() : p.lo();
        double hi = Double.isNaN(p.hi()) ? p.estimate() : p.hi();
        s.add(p.truth(), p.truth(), p.truth(), p.estimate(), lo, hi);
        max = Math.max(max, Math.max(p.truth(), Math.min(hi, 150)));
      }
      data.addSeries(s);
    }
    XYErrorRenderer renderer = new XYErrorRenderer();
    renderer.setDrawXError(false);
    renderer.setDefaultLinesVisible(false);
    NumberAxis x = new NumberAxis("true discounted return (online, 1,000 episodes)");
    NumberAxis y = new NumberAxis("estimate from the log (95% interval)");
    x.setRange(0, max * 1.05);
    y.setRange(0, max * 1.05);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    XYSeries diagonal = new XYSeries("estimate = truth");
    diagonal.add(0, 0);
    diagonal.add(max * 1.05, max * 1.05);
    XYLineAndShapeRenderer line = new XYLineAndShapeRenderer(true, false);
    line.setSeriesPaint(0, Color.GRAY);
    line.setSeriesStroke(0, new BasicStroke(1f));
    plot.setDataset(1, new XYSeriesCollection(diagonal));
    plot.setRenderer(1, line);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(220, 220, 220));
    plot.setRangeGridlinePaint(new Color(220, 220, 220));
    JFreeChart chart = new JFreeChart("Off-policy estimates against the truth (CartPole-v1, unflagged only)",
        JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 700);
  }

  /** Replaces the variant's block of docs/ope.md; a variant's first block goes after the defaults' block. */
  static void writeDoc(String generated, Variant variant) throws Exception {
    String begin = variant.marker("begin");
    String end = variant.marker("end");
    String defaultEnd = Variant.fromOptions(List.of()).marker("end");
    String doc = Files.exists(DOC) ? Files.readString(DOC) : "# Off-policy evaluation\n";
    if (!doc.contains(begin)) {
      int at = doc.contains(defaultEnd) ? doc.indexOf(defaultEnd) + defaultEnd.length() : doc.length();
      doc = doc.substring(0, at) + "\n\n" + begin + "\n" + end + doc.substring(at);
    }
    int b = doc.indexOf(begin);
    int e = doc.indexOf(end, b);
    Files.writeString(DOC, doc.substring(0, b + begin.length()) + "\n" + generated + doc.substring(e));
  }
}
