package org.batchq.ope;

import org.batchq.fqi.FqiData;

/**
 * The importance-sampling estimators of one target policy on one log, evaluated on any resample of its episodes:
 * per-decision importance sampling (PDIS, Precup et al. 2000) and its weighted form (WPDIS), and the doubly robust
 * estimator with a Q-function as its model (DR, Jiang and Li 2016) and its weighted form (WDR, Thomas and Brunskill
 * 2016). With w_t = prod_{i <= t} pi(a_i | s_i) / mu(a_i | s_i), w_{-1} = 1 and V(s) = sum_a pi(a | s) Q(s, a):
 *
 * <pre>
 *   PDIS = 1/n sum_e sum_t gamma^t w_t r_t
 *   DR   = 1/n sum_e sum_t gamma^t (w_t r_t - w_t Q(s_t, a_t) + w_{t-1} V(s_t))
 *   WPDIS, WDR: the same with w_t / n replaced by w_t / sum_e w_{e,t}
 * </pre>
 *
 * An episode that has ended stays in its absorbing state with reward 0 and ratio 1: it keeps its last weight in
 * the weighted forms' normalisers. A truncated episode is treated the same way, so these estimators value the
 * target within the log's time limit, as an online evaluation does.
 *
 * <p>Per-row terms are computed once; a resample only sums them, which is what makes thousands of bootstrap
 * replicates cheap.
 */
final class ImportanceSampling {
  /** One resample's estimates, and the effective sample size (sum w)^2 / sum w^2 of the episodes' final weights. */
  record Values(double pdis, double wpdis, double dr, double wdr, double ess) {}

  private final LoggedEpisodes log;
  private final int longest;
  private final double[] weight; // w_t per row
  private final double[] termR; // gamma^t w_t r_t
  private final double[] termQ; // gamma^t w_t Q(s_t, a_t)
  private final double[] termV; // gamma^t w_{t-1} V(s_t)
  private final double[] pdisOf; // per episode
  private final double[] drOf;
  private final double[] lastWeight;
  private final boolean hasModel;

  /**
   * @param target pi(. | s_t) at every row's observation, rows x actions
   * @param q Q(s_t, .) at every row's observation (the doubly robust estimators' model), or null: then DR and WDR
   *     are NaN
   */
  ImportanceSampling(LoggedEpisodes log, float[] target, float[] q, double gamma) {
    this.log = log;
    this.longest = log.longest();
    this.hasModel = q != null;
    FqiData d = log.data();
    int rows = d.rows();
    int actions = d.actionCount();
    weight = new double[rows];
    termR = new double[rows];
    termQ = new double[rows];
    termV = new double[rows];
    pdisOf = new double[log.episodes()];
    drOf = new double[log.episodes()];
    lastWeight = new double[log.episodes()];
    for (int e = 0; e < log.episodes(); e++) {
      double w = 1;
      double disc = 1;
      double pdis = 0;
      double dr = 0;
      for (int i = log.starts()[e]; i < log.starts()[e + 1]; i++) {
        int a = d.actions()[i];
        double previous = w;
        w *= (double) target[i * actions + a] / log.behaviorProbs()[i];
        weight[i] = w;
        // disc * w * r: with w exactly 1 (the target is the behaviour policy) this is disc * r bit for bit, the
        // logged discounted return's own term.
        termR[i] = disc * w * d.rewards()[i];
        if (q != null) {
          double v = 0;
          for (int b = 0; b < actions; b++) {
            v += (double) target[i * actions + b] * q[i * actions + b];
          }
          termQ[i] = disc * w * q[i * actions + a];
          termV[i] = disc * previous * v;
        }
        pdis += termR[i];
        dr += termR[i] - termQ[i] + termV[i];
        disc *= gamma;
      }
      pdisOf[e] = pdis;
      drOf[e] = dr;
      lastWeight[e] = w;
    }
  }

  /** Each episode's discounted return sum_t gamma^t r_t, summed as PDIS sums its terms. */
  static double[] loggedReturns(LoggedEpisodes log, double gamma) {
    double[] out = new double[log.episodes()];
    float[] rewards = log.data().rewards();
    for (int e = 0; e < out.length; e++) {
      double disc = 1;
      double sum = 0;
      for (int i = log.starts()[e]; i < log.starts()[e + 1]; i++) {
        sum += disc * rewards[i];
        disc *= gamma;
      }
      out[e] = sum;
    }
    return out;
  }

  /** The estimates on the resample that holds episode e {@code counts[e]} times (null: the log itself). */
  Values estimate(int[] counts) {
    double[] sumR = new double[longest];
    double[] sumQ = new double[longest];
    double[] sumV = new double[longest];
    double[] active = new double[longest]; // sum of w_t over episodes still running at t
    double[] ended = new double[longest + 1]; // last weights of episodes that end before t, by their length
    double n = 0;
    double pdis = 0;
    double dr = 0;
    double sumW = 0;
    double sumW2 = 0;
    int[] starts = log.starts();
    for (int e = 0; e < log.episodes(); e++) {
      int k = counts == null ? 1 : counts[e];
      if (k == 0) {
        continue;
      }
      n += k;
      pdis += k * pdisOf[e];
      dr += k * drOf[e];
      sumW += k * lastWeight[e];
      sumW2 += k * lastWeight[e] * lastWeight[e];
      for (int i = starts[e], t = 0; i < starts[e + 1]; i++, t++) {
        sumR[t] += k * termR[i];
        sumQ[t] += k * termQ[i];
        sumV[t] += k * termV[i];
        active[t] += k * weight[i];
      }
      ended[starts[e + 1] - starts[e]] += k * lastWeight[e];
    }
    double wpdis = 0;
    double wdr = 0;
    double absorbed = 0;
    double previous = n; // sum_e w_{e,-1}
    for (int t = 0; t < longest; t++) {
      absorbed += ended[t];
      double norm = active[t] + absorbed; // sum_e w_{e,t}, ended episodes at their last weight
      if (norm > 0) {
        wpdis += sumR[t] / norm;
        wdr += (sumR[t] - sumQ[t]) / norm;
      }
      if (previous > 0) {
        wdr += sumV[t] / previous;
      }
      previous = norm;
    }
    double ess = sumW2 == 0 ? 0 : sumW * sumW / sumW2;
    return new Values(pdis / n, wpdis, hasModel ? dr / n : Double.NaN, hasModel ? wdr : Double.NaN, ess);
  }
}
