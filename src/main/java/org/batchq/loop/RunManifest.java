package org.batchq.loop;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code runs/NAME.json}: a run's settings and the figures of every complete round. It is rewritten (atomically)
 * at the end of each round, so a round is complete exactly when it is listed here.
 *
 * @param randomMean mean episode length of the uniform random policy on the run's evaluation seeds
 * @param best the round whose model evaluated best, re-scored on fresh seeds; null until the run ends
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunManifest(
    String format, int formatVersion, RunSettings settings, double randomMean, List<RoundRecord> rounds, Best best,
    double seconds) {

  public static final String FORMAT = "batchq-run";
  public static final int FORMAT_VERSION = 1;

  /**
   * @param rescoredMean the best model's mean episode length on evaluation seeds it was not chosen on
   */
  public record Best(int round, String model, double evalMean, double rescoredMean, double rescoredCi95,
      int rescoredEpisodes) {}
}
