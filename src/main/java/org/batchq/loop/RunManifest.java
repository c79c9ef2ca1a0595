package org.batchq.loop;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.batchq.env.Plugin;

/**
 * {@code runs/NAME.json}: a run's settings and the figures of every complete round. It is rewritten (atomically)
 * at the end of each round, so a round is complete exactly when it is listed here.
 *
 * @param randomMean mean episode length of the uniform random policy on the run's evaluation seeds
 * @param randomMeanReturn its mean return
 * @param best the round whose model evaluated best (by mean return), re-scored on fresh seeds; null until the run ends
 * @param envPlugin the plugin the run's environment came from; null for a built-in environment
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunManifest(
    String format, int formatVersion, RunSettings settings, double randomMean, List<RoundRecord> rounds, Best best,
    double seconds, Double randomMeanReturn, Plugin envPlugin) {

  /** Manifests written before returns were recorded are CartPole runs: return equals length there. */
  public RunManifest {
    if (randomMeanReturn == null) {
      randomMeanReturn = randomMean;
    }
  }

  public static final String FORMAT = "batchq-run";
  public static final int FORMAT_VERSION = 1;

  /**
   * @param rescoredMean the best model's mean episode length on evaluation seeds it was not chosen on
   * @param rescoredMeanReturn its mean return there, with {@code rescoredCi95Return} the half-width of its interval
   * @param selectedBy {@code online} or {@code ope} (null in older manifests: online)
   * @param opeValues with {@code ope}: each round's FQE estimate on the {@code opeEpisodes} held-out episodes
   */
  public record Best(int round, String model, double evalMean, double rescoredMean, double rescoredCi95,
      int rescoredEpisodes, Double evalMeanReturn, Double rescoredMeanReturn, Double rescoredCi95Return,
      String selectedBy, List<Double> opeValues, Long opeEpisodes) {
    /** Manifests written before returns were recorded are CartPole runs: return equals length there. */
    public Best {
      if (rescoredMeanReturn == null) {
        evalMeanReturn = evalMean;
        rescoredMeanReturn = rescoredMean;
        rescoredCi95Return = rescoredCi95;
      }
    }
  }
}
