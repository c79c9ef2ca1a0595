package org.batchq.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.batchq.io.AtomicOutput;

/**
 * Streams episodes into a dataset: one {@code .parquet} file, or a directory of part files for any other name.
 * Episodes are buffered in an Arrow {@link TransitionBatch}, then encoded column value by column value straight
 * from the vectors (no row objects). Nothing appears under the final name until {@link #commit()}.
 */
public final class DatasetWriter implements AutoCloseable {
  static final int BATCH_ROWS = 1 << 16;
  /** Rows per part file when writing a directory (a part ends at the first episode end past this). */
  static final long PART_ROWS = 1 << 22;

  private final DatasetMetadata metadata;
  private final AtomicOutput output;
  private final boolean directory;
  private final TransitionBatch batch;
  private final BatchWriteSupport support;
  private ParquetWriter<Integer> part;
  private int partIndex;
  private long partRows;
  private Path partFile;
  private final java.util.Map<String, PartManifest.Part> parts = new java.util.TreeMap<>();
  private long rows;

  private final long partRowLimit;

  private DatasetWriter(Path out, DatasetMetadata metadata, boolean force, long partRowLimit) {
    this.metadata = metadata;
    this.partRowLimit = partRowLimit;
    this.output = AtomicOutput.begin(out, force);
    this.directory = !out.getFileName().toString().endsWith(".parquet");
    this.batch = new TransitionBatch(metadata.observationSize(), BATCH_ROWS + 1024);
    this.support = new BatchWriteSupport(metadata);
    if (directory) {
      try {
        Files.createDirectories(output.path());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Opens a writer for {@code out}; an existing output is refused unless {@code force}. */
  public static DatasetWriter open(Path out, DatasetMetadata metadata, boolean force) {
    return new DatasetWriter(out, metadata, force, PART_ROWS);
  }

  static DatasetWriter open(Path out, DatasetMetadata metadata, boolean force, long partRowLimit) {
    return new DatasetWriter(out, metadata, force, partRowLimit);
  }

  public void write(Episode episode) {
    // Parts end between episodes: an episode is (file, episode_id), so it must never span two files.
    if (directory && partRows + batch.rows() >= partRowLimit) {
      flush();
      closePart();
    }
    batch.append(episode);
    if (batch.rows() >= BATCH_ROWS) {
      flush();
    }
  }

  public long rows() {
    return rows;
  }

  /** Finishes every file and publishes the output under its final name. */
  public Path commit() {
    flush();
    closePart();
    if (directory && partIndex == 0) {
      openPart(); // an empty collection is still a readable dataset with the schema
      closePart();
    }
    if (directory) {
      new PartManifest(DatasetSchema.FORMAT_VERSION, parts).write(output.path());
    }
    output.publish();
    return output.destination();
  }

  /** Abandons the output unless committed: the temporary files are removed. */
  @Override
  public void close() {
    try {
      if (part != null) {
        part.close();
      }
    } catch (IOException ignored) {
      // abandoning anyway
    } finally {
      batch.close();
      output.close();
    }
  }

  private void flush() {
    batch.seal();
    support.batch = batch;
    try {
      if (part == null && batch.rows() > 0) {
        openPart();
      }
      for (int r = 0; r < batch.rows(); r++) {
        part.write(r);
      }
      partRows += batch.rows();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + output.destination() + ": " + e.getMessage(), e);
    }
    rows += batch.rows();
    batch.clear();
  }

  private void openPart() {
    Path file = directory ? output.path().resolve(String.format("part-%05d.parquet", partIndex++)) : output.path();
    partFile = file;
    try {
      part = new Builder(new LocalOutputFile(file), support)
          .withConf(new PlainParquetConfiguration())
          .withWriteMode(ParquetFileWriter.Mode.CREATE)
          .withCompressionCodec(CompressionCodecName.ZSTD)
          .withRowGroupSize(32L << 20)
          .withPageWriteChecksumEnabled(true)
          .withValidation(false)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + file + ": " + e.getMessage(), e);
    }
    partRows = 0;
  }

  private void closePart() {
    if (part == null) {
      return;
    }
    try {
      part.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot finish " + output.destination() + ": " + e.getMessage(), e);
    }
    part = null;
    if (directory) {
      parts.put(partFile.getFileName().toString(), PartManifest.describe(partFile, partRows));
    }
  }

  private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
    private final BatchWriteSupport support;

    Builder(OutputFile file, BatchWriteSupport support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Integer> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
      return support;
    }

    @Override
    protected WriteSupport<Integer> getWriteSupport(org.apache.parquet.conf.ParquetConfiguration conf) {
      return support;
    }
  }

  /** Writes row {@code r} of the current batch, reading each value from its Arrow vector. */
  private static final class BatchWriteSupport extends WriteSupport<Integer> {
    private final DatasetMetadata metadata;
    private RecordConsumer out;
    TransitionBatch batch;

    BatchWriteSupport(DatasetMetadata metadata) {
      this.metadata = metadata;
    }

    @Override
    public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
      return init((org.apache.parquet.conf.ParquetConfiguration) null);
    }

    @Override
    public WriteContext init(org.apache.parquet.conf.ParquetConfiguration configuration) {
      return new WriteContext(DatasetSchema.parquet(), metadata.toKeyValues());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      out = recordConsumer;
    }

    @Override
    public void write(Integer row) {
      int r = row;
      TransitionBatch b = batch;
      out.startMessage();
      out.startField(DatasetSchema.EPISODE_ID, 0);
      out.addLong(b.episodeId.get(r));
      out.endField(DatasetSchema.EPISODE_ID, 0);
      out.startField(DatasetSchema.STEP, 1);
      out.addInteger(b.step.get(r));
      out.endField(DatasetSchema.STEP, 1);
      writeList(DatasetSchema.OBS, 2, b, b.obsValues, r);
      out.startField(DatasetSchema.ACTION, 3);
      out.addInteger(b.action.get(r));
      out.endField(DatasetSchema.ACTION, 3);
      out.startField(DatasetSchema.REWARD, 4);
      out.addFloat(b.reward.get(r));
      out.endField(DatasetSchema.REWARD, 4);
      writeList(DatasetSchema.NEXT_OBS, 5, b, b.nextObsValues, r);
      out.startField(DatasetSchema.TERMINATED, 6);
      out.addBoolean(b.terminated.get(r) != 0);
      out.endField(DatasetSchema.TERMINATED, 6);
      out.startField(DatasetSchema.TRUNCATED, 7);
      out.addBoolean(b.truncated.get(r) != 0);
      out.endField(DatasetSchema.TRUNCATED, 7);
      out.startField(DatasetSchema.BEHAVIOR_PROB, 8);
      out.addFloat(b.behaviorProb.get(r));
      out.endField(DatasetSchema.BEHAVIOR_PROB, 8);
      out.endMessage();
    }

    private void writeList(String name, int index, TransitionBatch b, org.apache.arrow.vector.Float4Vector values, int r) {
      int d = b.observationSize();
      out.startField(name, index);
      out.startGroup();
      out.startField("list", 0);
      for (int k = 0; k < d; k++) {
        out.startGroup();
        out.startField("element", 0);
        out.addFloat(values.get(r * d + k));
        out.endField("element", 0);
        out.endGroup();
      }
      out.endField("list", 0);
      out.endGroup();
      out.endField(name, index);
    }
  }
}
