package org.batchq.loop;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.batchq.io.AtomicOutput;
import org.batchq.io.Table;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The run's pictures (PNG, 1000 x 600): the Bellman loss, and per round the episode return (what rounds are scored
 * by) and the episode length; the same numbers as CSV beside them.
 */
final class Plots {
  static final int WIDTH = 1000;
  static final int HEIGHT = 600;
  static final String LOSS = "bellman-loss";
  static final String LENGTH = "episode-length";
  static final String RETURN = "episode-return";
  static final String VALUE = "value-vs-return";

  /** A per-round measure as its chart shows it: the greedy evaluation's mean and min-max band, the behaviour mean. */
  private record PerRound(String title, String axis, ToDoubleFunction<RoundRecord> mean,
      ToDoubleFunction<RoundRecord> min, ToDoubleFunction<RoundRecord> max, ToDoubleFunction<RoundRecord> behavior) {}

  private static final PerRound LENGTHS = new PerRound("Mean episode length per round", "mean episode length (steps)",
      RoundRecord::evalMean, RoundRecord::evalMin, RoundRecord::evalMax, RoundRecord::behaviorMeanLength);
  private static final PerRound RETURNS = new PerRound("Mean episode return per round",
      "mean episode return (sum of rewards)", RoundRecord::evalMeanReturn, RoundRecord::evalMinReturn,
      RoundRecord::evalMaxReturn, RoundRecord::behaviorMeanReturn);

  private Plots() {}

  static void write(Path dir, List<RoundRecord> rounds, double randomMean, double randomMeanReturn, int stepLimit) {
    try {
      Files.createDirectories(dir);
      png(dir.resolve(LOSS + ".png"), lossChart(rounds));
      png(dir.resolve(LENGTH + ".png"), perRoundChart(LENGTHS, rounds, randomMean, stepLimit));
      png(dir.resolve(RETURN + ".png"), perRoundChart(RETURNS, rounds, randomMeanReturn, null));
      csv(dir.resolve(LOSS + ".csv"), lossCsv(rounds));
      csv(dir.resolve(LENGTH + ".csv"), lengthCsv(rounds, randomMean));
      csv(dir.resolve(RETURN + ".csv"), returnCsv(rounds, randomMeanReturn));
      png(dir.resolve(VALUE + ".png"), valueChart(rounds));
      csv(dir.resolve(VALUE + ".csv"), valueCsv(rounds));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write plots to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Bellman loss per FQI iteration, one colour per round: training solid, held-out dashed; log scale. */
  static JFreeChart lossChart(List<RoundRecord> rounds) {
    XYSeriesCollection data = new XYSeriesCollection();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    int series = 0;
    for (RoundRecord r : rounds) {
      Color colour = Color.getHSBColor((float) r.round() / Math.max(rounds.size(), 1) * 0.8f, 0.85f, 0.8f);
      XYSeries train = new XYSeries("round " + r.round() + " training");
      XYSeries valid = new XYSeries("round " + r.round() + " held-out");
      for (int i = 0; i < r.trainLossPerIteration().size(); i++) {
        addPositive(train, i + 1, r.trainLossPerIteration().get(i));
        addPositive(valid, i + 1, r.validResidualPerIteration().get(i));
      }
      data.addSeries(train);
      renderer.setSeriesPaint(series, colour);
      renderer.setSeriesStroke(series++, new BasicStroke(2f));
      if (!valid.isEmpty()) {
        data.addSeries(valid);
        renderer.setSeriesPaint(series, colour);
        renderer.setSeriesStroke(series++, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f));
      }
    }
    NumberAxis x = new NumberAxis("FQI iteration");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    LogAxis y = new LogAxis("Bellman loss (mean squared error vs. targets)");
    y.setAutoRange(true);
    y.setSmallestValue(1e-8);
    y.setStandardTickUnits(NumberAxis.createIntegerTickUnits()); // ticks at whole powers of ten
    y.setNumberFormatOverride(new java.text.DecimalFormat("0.#E0"));
    XYPlot plot = new XYPlot(data, x, y, renderer);
    return chart("Bellman loss per FQI iteration (solid: training, dashed: held-out episodes)", plot);
  }

  /**
   * A measure per round: behaviour data, greedy evaluation with its min-max band, random baseline; with a step
   * limit (lengths), the axis runs from 0 to just above it and the limit is marked.
   */
  private static JFreeChart perRoundChart(PerRound m, List<RoundRecord> rounds, double randomMean, Integer stepLimit) {
    YIntervalSeries eval = new YIntervalSeries("greedy evaluation (mean, band: min-max)");
    YIntervalSeries behavior = new YIntervalSeries("behaviour data (mean)");
    for (RoundRecord r : rounds) {
      eval.add(r.round(), m.mean().applyAsDouble(r), m.min().applyAsDouble(r), m.max().applyAsDouble(r));
      double b = m.behavior().applyAsDouble(r);
      behavior.add(r.round(), b, b, b);
    }
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    data.addSeries(eval);
    data.addSeries(behavior);
    DeviationRenderer renderer = new DeviationRenderer(true, true);
    renderer.setSeriesPaint(0, new Color(0, 90, 200));
    renderer.setSeriesFillPaint(0, new Color(0, 90, 200));
    renderer.setSeriesStroke(0, new BasicStroke(2.5f));
    renderer.setSeriesPaint(1, new Color(230, 120, 0));
    renderer.setSeriesFillPaint(1, new Color(230, 120, 0));
    renderer.setSeriesStroke(1, new BasicStroke(2f));
    renderer.setAlpha(0.18f);
    NumberAxis x = new NumberAxis("round");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = new NumberAxis(m.axis());
    if (stepLimit != null) {
      y.setRange(0, stepLimit * 1.04);
    } else {
      y.setAutoRangeIncludesZero(false);
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    ValueMarker random = new ValueMarker(randomMean, Color.GRAY, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
        BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
    random.setLabel(String.format(Locale.ROOT, "random policy (%.1f)", randomMean));
    random.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    random.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
    random.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
    plot.addRangeMarker(random);
    if (stepLimit != null) {
      ValueMarker limit = new ValueMarker(stepLimit, new Color(0, 150, 0), new BasicStroke(1f));
      limit.setLabel("time limit (" + stepLimit + ")");
      limit.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.BOTTOM_RIGHT);
      limit.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
      plot.addRangeMarker(limit);
    }
    markInterventions(plot, rounds);
    return chart(m.title(), plot);
  }

  /**
   * Per round, the model's own estimate of the start states' value, mean max_a Q(s0, a) over the evaluation's
   * initial states, against what those episodes were worth, their mean discounted return at the fit's gamma; the
   * largest value any return can take as a line, and the rounds the loop intervened in marked. An overestimate shows the
   * round it starts.
   */
  static JFreeChart valueChart(List<RoundRecord> rounds) {
    XYSeries estimate = new XYSeries("mean max_a Q(s0, a), the model's estimate");
    XYSeries truth = new XYSeries("mean discounted return of the same episodes");
    for (RoundRecord r : rounds) {
      if (r.evalInitialMaxQ() != null) {
        estimate.add(r.round(), r.evalInitialMaxQ());
        truth.add(r.round(), r.evalDiscountedReturn());
      }
    }
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(estimate);
    data.addSeries(truth);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    renderer.setSeriesPaint(0, new Color(200, 40, 40));
    renderer.setSeriesStroke(0, new BasicStroke(2.5f));
    renderer.setSeriesPaint(1, new Color(0, 90, 200));
    renderer.setSeriesStroke(1, new BasicStroke(2.5f));
    NumberAxis x = new NumberAxis("round");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = new NumberAxis("discounted value");
    y.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    rounds.stream().map(RoundRecord::valueBound).filter(b -> b != null).findFirst().ifPresent(bound -> {
      ValueMarker line = new ValueMarker(bound, new Color(0, 150, 0), new BasicStroke(1f));
      line.setLabel(String.format(Locale.ROOT, "largest possible value (%.1f)", bound));
      line.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.BOTTOM_RIGHT);
      line.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
      plot.addRangeMarker(line);
    });
    markInterventions(plot, rounds);
    return chart("Value estimate against the truth, per round (dashed: the guard acted or the round rolled back)",
        plot);
  }

  /** A dashed line at each round where the guard refitted the fit or the round kept an earlier round's model. */
  private static void markInterventions(XYPlot plot, List<RoundRecord> rounds) {
    for (RoundRecord r : rounds) {
      String label = r.intervention();
      if (!label.isEmpty()) {
        ValueMarker mark = new ValueMarker(r.round(), Color.GRAY, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
            BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        mark.setLabel(label);
        mark.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
        mark.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_LEFT);
        plot.addDomainMarker(mark);
      }
    }
  }

  static String valueCsv(List<RoundRecord> rounds) {
    Table t = new Table("round", "eval_initial_max_q", "eval_discounted_return", "value_bound", "value_floor", "guard",
        "diverged_initial_max_q", "diverged_train_loss");
    for (RoundRecord r : rounds) {
      t.row(r.round(), r.evalInitialMaxQ(), r.evalDiscountedReturn(), r.valueBound(), r.valueFloor(), r.guard(),
          r.divergedInitialMaxQ(), r.divergedTrainLoss());
    }
    return t.render(Table.Format.CSV);
  }

  private static void addPositive(XYSeries s, int x, Double y) {
    if (y != null && Double.isFinite(y) && y > 0) {
      s.add(x, y); // a log axis cannot show zero; an exact fit (loss 0) is left out
    }
  }

  private static JFreeChart chart(String title, XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(220, 220, 220));
    plot.setRangeGridlinePaint(new Color(220, 220, 220));
    JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 16)));
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  private static void png(Path file, JFreeChart chart) throws IOException {
    try (AtomicOutput out = AtomicOutput.begin(file, true)) {
      ChartUtils.saveChartAsPNG(out.path().toFile(), chart, WIDTH, HEIGHT);
      out.publish();
    }
  }

  private static void csv(Path file, String content) throws IOException {
    try (AtomicOutput out = AtomicOutput.begin(file, true)) {
      Files.writeString(out.path(), content);
      out.publish();
    }
  }

  static String lossCsv(List<RoundRecord> rounds) {
    Table t = new Table("round", "iteration", "train_loss", "valid_residual");
    for (RoundRecord r : rounds) {
      for (int i = 0; i < r.trainLossPerIteration().size(); i++) {
        t.row(r.round(), i, r.trainLossPerIteration().get(i), r.validResidualPerIteration().get(i));
      }
    }
    return t.render(Table.Format.CSV);
  }

  static String lengthCsv(List<RoundRecord> rounds, double randomMean) {
    Table t = new Table("round", "behavior_mean", "eval_mean", "eval_std", "eval_min", "eval_max", "random_mean");
    for (RoundRecord r : rounds) {
      t.row(r.round(), r.behaviorMeanLength(), r.evalMean(), r.evalStd(), r.evalMin(), r.evalMax(), randomMean);
    }
    return t.render(Table.Format.CSV);
  }

  static String returnCsv(List<RoundRecord> rounds, double randomMeanReturn) {
    Table t = new Table("round", "behavior_mean_return", "eval_mean_return", "eval_std_return", "eval_min_return",
        "eval_max_return", "random_mean_return");
    for (RoundRecord r : rounds) {
      t.row(r.round(), r.behaviorMeanReturn(), r.evalMeanReturn(), r.evalStdReturn(), r.evalMinReturn(),
          r.evalMaxReturn(), randomMeanReturn);
    }
    return t.render(Table.Format.CSV);
  }
}
