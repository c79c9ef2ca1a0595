package org.batchq.data;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;

/**
 * A batch of transitions in Arrow columnar memory (the schema of {@link DatasetSchema#arrow()}): what rollouts
 * fill before Parquet encodes it, and what readers fill from Parquet row groups before {@code fit} takes primitive
 * arrays from it. Observations are stored row-major and contiguous in the list's child vector, so they leave as
 * one sequential copy.
 */
public final class TransitionBatch implements AutoCloseable {
  private static final BufferAllocator ALLOCATOR = new RootAllocator();

  /** The action of a row that only carries an episode's final observation (one-row-per-step logs, while read). */
  static final int FINAL_OBSERVATION = -1;

  private final int observationSize;
  private final VectorSchemaRoot root;
  final BigIntVector episodeId;
  final IntVector step;
  final ListVector obs;
  final Float4Vector obsValues;
  final IntVector action;
  final Float4Vector reward;
  final ListVector nextObs;
  final Float4Vector nextObsValues;
  final BitVector terminated;
  final BitVector truncated;
  final Float4Vector behaviorProb;
  private int rows;

  public TransitionBatch(int observationSize, int capacity) {
    this.observationSize = observationSize;
    root = VectorSchemaRoot.create(DatasetSchema.arrow(), ALLOCATOR);
    episodeId = (BigIntVector) root.getVector(DatasetSchema.EPISODE_ID);
    step = (IntVector) root.getVector(DatasetSchema.STEP);
    obs = (ListVector) root.getVector(DatasetSchema.OBS);
    action = (IntVector) root.getVector(DatasetSchema.ACTION);
    reward = (Float4Vector) root.getVector(DatasetSchema.REWARD);
    nextObs = (ListVector) root.getVector(DatasetSchema.NEXT_OBS);
    terminated = (BitVector) root.getVector(DatasetSchema.TERMINATED);
    truncated = (BitVector) root.getVector(DatasetSchema.TRUNCATED);
    behaviorProb = (Float4Vector) root.getVector(DatasetSchema.BEHAVIOR_PROB);
    root.getFieldVectors().forEach(v -> v.setInitialCapacity(capacity));
    obs.setInitialCapacity(capacity, observationSize);
    nextObs.setInitialCapacity(capacity, observationSize);
    root.allocateNew();
    obsValues = (Float4Vector) obs.getDataVector();
    nextObsValues = (Float4Vector) nextObs.getDataVector();
  }

  public int observationSize() {
    return observationSize;
  }

  public int rows() {
    return rows;
  }

  /** Appends every transition of an episode. */
  public void append(Episode e) {
    int d = observationSize;
    for (int t = 0; t < e.length(); t++) {
      int r = rows + t;
      episodeId.setSafe(r, e.id());
      step.setSafe(r, t);
      action.setSafe(r, e.actions()[t]);
      reward.setSafe(r, e.rewards()[t]);
      boolean last = t == e.length() - 1;
      terminated.setSafe(r, last && e.terminated() ? 1 : 0);
      truncated.setSafe(r, last && e.truncated() ? 1 : 0);
      behaviorProb.setSafe(r, e.behaviorProbs()[t]);
      for (int k = 0; k < d; k++) {
        obsValues.setSafe(r * d + k, e.obs()[t * d + k]);
        nextObsValues.setSafe(r * d + k, e.nextObs()[t * d + k]);
      }
    }
    rows += e.length();
  }

  /** Seals the vectors after filling: list offsets (every list holds exactly observationSize values) and counts. */
  public void seal(int rowCount) {
    rows = rowCount;
    for (ListVector list : new ListVector[] {obs, nextObs}) {
      for (int r = 0; r < rowCount; r++) {
        list.startNewValue(r);
        list.endValue(r, observationSize);
      }
      list.getDataVector().setValueCount(rowCount * observationSize);
    }
    root.setRowCount(rowCount);
  }

  /** Sealing after {@link #append}: list offsets and value counts. */
  public void seal() {
    seal(rows);
  }

  /** Empties the batch for reuse, keeping its buffers. */
  public void clear() {
    root.getFieldVectors().forEach(v -> v.reset());
    rows = 0;
  }

  public long episodeId(int row) {
    return episodeId.get(row);
  }

  public int step(int row) {
    return step.get(row);
  }

  public int action(int row) {
    return action.get(row);
  }

  public float reward(int row) {
    return reward.get(row);
  }

  public boolean terminated(int row) {
    return terminated.get(row) != 0;
  }

  public boolean truncated(int row) {
    return truncated.get(row) != 0;
  }

  public float behaviorProb(int row) {
    return behaviorProb.get(row);
  }

  public float obs(int row, int k) {
    return obsValues.get(row * observationSize + k);
  }

  public float nextObs(int row, int k) {
    return nextObsValues.get(row * observationSize + k);
  }

  /** Copies all observations, row-major, into {@code dst} at element {@code offset}. */
  public void copyObs(float[] dst, int offset) {
    copy(obsValues, dst, offset);
  }

  public void copyNextObs(float[] dst, int offset) {
    copy(nextObsValues, dst, offset);
  }

  private void copy(Float4Vector values, float[] dst, int offset) {
    // Element by element from the buffer: a bulk NIO view would need --add-opens on Java 17.
    ArrowBuf buf = values.getDataBuffer();
    int n = rows * observationSize;
    for (int i = 0; i < n; i++) {
      dst[offset + i] = buf.getFloat((long) i * Float.BYTES);
    }
  }

  @Override
  public void close() {
    root.close();
  }
}
