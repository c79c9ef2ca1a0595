package org.batchq.runtime;

import java.util.Map;

/** A fitted action-value function over a discrete action set. */
public interface QFunction extends AutoCloseable {
  int actionCount();

  /** Q(s, a) for {@code rows} observations (row-major), returned row-major: rows x actionCount. */
  float[] predict(float[] obs, int rows);

  /** The files that persist this function (name to bytes), in a format other tools read. */
  Map<String, byte[]> export();

  @Override
  void close();
}
