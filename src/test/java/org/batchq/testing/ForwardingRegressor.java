package org.batchq.testing;

import java.util.List;
import java.util.Map;
import org.batchq.learner.Regressor;
import org.batchq.runtime.QFunction;

/**
 * A regressor that hands every call to {@code inner}, for tests and benchmarks to wrap one. The known-value forms
 * of {@code states} and {@code predict} are not forwarded: a plain wrapper computes every value (the interface's
 * defaults), and a subclass that wants the inner regressor's own forms overrides them.
 */
public abstract class ForwardingRegressor implements Regressor {
  protected final Regressor inner;

  protected ForwardingRegressor(Regressor inner) {
    this.inner = inner;
  }

  @Override
  public StateSet states(float[] obs, int rows) {
    return inner.states(obs, rows);
  }

  @Override
  public QFunction fit(StateSet states, int[] actions, float[] targets, QFunction previous) {
    return inner.fit(states, actions, targets, previous);
  }

  @Override
  public float[] predict(QFunction q, StateSet states) {
    return inner.predict(q, states);
  }

  @Override
  public float[] predictTaken(QFunction q, StateSet states, int[] actions) {
    return inner.predictTaken(q, states, actions);
  }

  @Override
  public QFunction mean(List<QFunction> members) {
    return inner.mean(members);
  }

  @Override
  public Map<String, Object> settings() {
    return inner.settings();
  }

  @Override
  public void close() {
    inner.close();
  }
}
