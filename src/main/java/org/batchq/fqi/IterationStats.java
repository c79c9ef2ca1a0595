package org.batchq.fqi;

/**
 * Diagnostics of one FQI iteration k (fitting Q_{k+1}).
 *
 * @param trainLoss mean squared error of Q_{k+1} against its targets y_k on the training rows (the Bellman loss)
 * @param validResidual the same on held-out episodes (NaN when there is no validation split)
 * @param initialMaxQ mean over initial states of max_a Q_{k+1}(s0, a)
 * @param meanAbsChange mean |Q_{k+1}(s, a) - Q_k(s, a)| over training rows and their actions
 * @param seconds wall time of the iteration
 * @param learnerSeconds time inside the regressor (training and the predictions FQI needs)
 */
public record IterationStats(
    int iteration, double trainLoss, double validResidual, double initialMaxQ, double meanAbsChange, double seconds,
    double learnerSeconds) {}
