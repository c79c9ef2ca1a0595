package org.batchq.loop;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The figures of one complete round, as {@code runs/NAME.json} keeps them.
 *
 * @param rows transitions collected in this round
 * @param fitRows transitions the round's model was fitted on (all rounds so far with a growing batch)
 * @param behaviorMeanLength mean episode length of the data collected in this round (the exploring policy)
 * @param evalMean mean episode length of the round's model acting greedily, on the run's evaluation seeds
 * @param behaviorMeanReturn mean return (sum of rewards) of the data collected in this round
 * @param evalMeanReturn mean return of the round's greedy evaluation: what the run scores rounds by
 * @param evalInitialMaxQ mean over the evaluation's initial states of max_a Q(s0, a): the model's own estimate
 * @param evalDiscountedReturn those episodes' mean discounted return at the fit's gamma: what the estimate should be
 * @param valueBound the largest value any discounted return of the fitted data's rewards can take
 * @param valueFloor the smallest such value: with {@code valueBound}, the range the guard judges a fit by
 * @param guard null when the fit was sound; when the fit from the carried Q went wrong, "refitted with clipped
 *     targets" (with {@code --guard-refit clipped}), "restarted from round N" (with {@code --guard-refit best}: from
 *     round N's Q) or "restarted from zero", the way it was fitted last; "diverged"
 *     when the last refit went wrong too (see {@code Training.Outcome.diverged})
 * @param divergedInitialMaxQ the discarded fit's final mean initial max-Q, when the guard restarted the round
 * @param divergedTrainLoss the discarded fit's final training loss, when the guard restarted the round
 * @param rolledBackTo with {@code --rollback}, the earlier round whose model this round kept because its own fit
 *     did significantly worse on the same evaluation episodes; the evaluation fields are then the kept model's
 * @param rejectedEvalMeanReturn the rejected fit's mean evaluation return, when the round rolled back
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoundRecord(
    int round, String dataset, String model, long rows, long fitRows, double collectSeconds, double fitSeconds,
    double evalSeconds, double behaviorMeanLength, double evalMean, double evalStd, double evalMin, double evalMax,
    double trainLoss, double validResidual, List<Double> trainLossPerIteration, List<Double> validResidualPerIteration,
    Double behaviorMeanReturn, Double evalMeanReturn, Double evalStdReturn, Double evalMinReturn,
    Double evalMaxReturn, Double evalInitialMaxQ, Double evalDiscountedReturn, Double valueBound, Double valueFloor, String guard,
    Double divergedInitialMaxQ, Double divergedTrainLoss, Integer rolledBackTo, Double rejectedEvalMeanReturn) {

  /**
   * Run manifests written before returns were recorded are all CartPole runs, where the reward is 1 per step: there
   * the return is the length.
   */
  public RoundRecord {
    if (evalMeanReturn == null) {
      behaviorMeanReturn = behaviorMeanLength;
      evalMeanReturn = evalMean;
      evalStdReturn = evalStd;
      evalMinReturn = evalMin;
      evalMaxReturn = evalMax;
    }
  }

  /** What the loop did about this round's fit, as the summary table and the plots say it; empty: nothing. */
  public String intervention() {
    String kept = rolledBackTo == null ? null : String.format(java.util.Locale.ROOT, "kept round %d (fit scored %.1f)",
        rolledBackTo, rejectedEvalMeanReturn);
    return guard == null ? (kept == null ? "" : kept) : kept == null ? guard : guard + "; " + kept;
  }
}
