package org.batchq.learner;

import org.batchq.runtime.QFunction;

/**
 * The one thing FQI needs from a learner: fit Q_{k+1}(s, a) to targets, and predict Q for every action of fixed
 * state sets. State sets are registered once per fit ({@link #states}) so that a regressor can build its
 * matrices once and only change labels between iterations.
 */
public interface Regressor extends AutoCloseable {
  /** A fixed set of states whose Q-values are asked for repeatedly. */
  interface StateSet {
    int rows();
  }

  /** Registers {@code rows} observations (row-major, copied or referenced but never modified). */
  StateSet states(float[] obs, int rows);

  /**
   * Registers observations some of whose Q-values the caller will already know when it asks: row i's value for
   * action {@code knownAction[i]} (-1: none), passed to {@link #predict(QFunction, StateSet, float[])}, which then
   * need not compute it. FQI registers its next states so: a transition's next state is, bit for bit, the next
   * transition's state, whose Q for the action taken there {@link #predictTaken} has just given. By default every
   * value is computed.
   */
  default StateSet states(float[] obs, int rows, int[] knownAction) {
    return states(obs, rows);
  }

  /**
   * Fits Q_{k+1} on (s_i, a_i) -> y_i. The state set and actions are the same on every call of one fit; only the
   * targets change. {@code previous} is Q_k (null on the first iteration), for regressors that warm-start.
   */
  QFunction fit(StateSet states, int[] actions, float[] targets, QFunction previous);

  /** Q(s, a) for every state of the set and every action, row-major: rows x actionCount. */
  float[] predict(QFunction q, StateSet states);

  /**
   * {@link #predict} on a state set registered with known values: row i's value for its known action is
   * {@code known[i]}, which must be what {@code q} gives there, bit for bit (so the result does not depend on
   * whether the regressor uses it).
   */
  default float[] predict(QFunction q, StateSet states, float[] known) {
    return predict(q, states);
  }

  /**
   * Q(s_i, a_i) for the state set {@code q} was just fitted on and the actions it was fitted with: all the training
   * loss needs. By default taken from {@link #predict}; a regressor whose training already holds these values
   * (XGBoost's prediction cache) returns them without evaluating a tree.
   */
  default float[] predictTaken(QFunction q, StateSet states, int[] actions) {
    float[] all = predict(q, states);
    int k = all.length / states.rows();
    float[] out = new float[actions.length];
    for (int i = 0; i < actions.length; i++) {
      out[i] = all[i * k + actions[i]];
    }
    return out;
  }

  /**
   * One Q-function whose values are the mean of {@code members}' (fitted by this regressor), in the same files as
   * one fit's; the members stay open and the caller's.
   */
  QFunction mean(java.util.List<QFunction> members);

  /** The regressor's settings, recorded in the model manifest. */
  java.util.Map<String, Object> settings();

  @Override
  void close();
}
