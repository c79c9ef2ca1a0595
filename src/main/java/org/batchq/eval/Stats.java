package org.batchq.eval;

import java.util.Arrays;
import org.apache.commons.statistics.distribution.TDistribution;

/** Summary statistics with Student-t 95% intervals, for returns and for paired differences of returns. */
public final class Stats {
  /** Mean with the half-width of its 95% confidence interval, and the usual order statistics. */
  public record Summary(int n, double mean, double ci95, double std, double min, double median, double max) {}

  /** A paired difference (model minus baseline) with its 95% interval; significant when it excludes 0. */
  public record Difference(double mean, double ci95, boolean significant) {}

  private Stats() {}

  public static Summary summarize(double[] x) {
    int n = x.length;
    double mean = Arrays.stream(x).average().orElse(Double.NaN);
    double std = std(x, mean);
    double[] sorted = x.clone();
    Arrays.sort(sorted);
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Summary(n, mean, halfWidth(std, n), std, sorted[0], median, sorted[n - 1]);
  }

  public static Difference paired(double[] model, double[] baseline) {
    double[] d = new double[model.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = model[i] - baseline[i];
    }
    double mean = Arrays.stream(d).average().orElse(Double.NaN);
    double hw = halfWidth(std(d, mean), d.length);
    // With zero spread (identical policies, or deterministic identical outcomes) the difference is exact.
    boolean significant = hw == 0 ? mean != 0 : Math.abs(mean) > hw;
    return new Difference(mean, hw, significant);
  }

  private static double std(double[] x, double mean) {
    if (x.length < 2) {
      return 0;
    }
    double ss = 0;
    for (double v : x) {
      ss += (v - mean) * (v - mean);
    }
    return Math.sqrt(ss / (x.length - 1));
  }

  private static double halfWidth(double std, int n) {
    return n < 2 ? Double.NaN : t975(n - 1) * std / Math.sqrt(n);
  }

  /** The 97.5% quantile of Student's t with {@code df} degrees of freedom. */
  public static double t975(int df) {
    return TDistribution.of(df).inverseCumulativeProbability(0.975);
  }
}
