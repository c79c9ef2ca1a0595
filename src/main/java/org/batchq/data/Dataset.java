package org.batchq.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.DummyRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.batchq.env.EnvSpec;
import org.batchq.io.BadInputException;

/**
 * Stored transitions from one or more Parquet files (a file, a directory of part files, or a glob, several at
 * once), read row group by row group into Arrow batches and validated on the way: finite values, actions in
 * range, observation lengths. An episode is the pair (file, episode id).
 */
public final class Dataset {
  /** One file of the dataset with what its footer says. */
  public record Source(Path file, long bytes, long rows, Optional<DatasetMetadata> metadata) {}

  /** Receives each row group of each file, in order. */
  public interface BatchConsumer {
    void accept(int fileIndex, TransitionBatch batch);
  }

  private static final ParquetReadOptions OPTIONS = ParquetReadOptions.builder(new PlainParquetConfiguration())
      .usePageChecksumVerification(true)
      .build();

  private final List<Source> sources;
  private final EnvSpec env;
  private final ColumnMapping mapping;

  private Dataset(List<Source> sources, EnvSpec env, ColumnMapping mapping) {
    this.sources = sources;
    this.env = env;
    this.mapping = mapping;
  }

  /**
   * Opens the footers of every file named by {@code paths} and settles the environment: from batchq's metadata,
   * or from {@code envId} for files written by other tools (null when not given). Mixing environments is an error.
   */
  public static Dataset open(List<String> paths, ColumnMapping mapping, String envId) {
    List<Path> files = resolve(paths);
    List<Source> sources = new ArrayList<>();
    for (Path file : files) {
      sources.add(footer(file));
    }
    EnvSpec env = DatasetMetadata.settle(sources.stream().map(s -> s.file().toString()).toList(),
        sources.stream().map(Source::metadata).toList(), envId);
    return new Dataset(List.copyOf(sources), env, mapping);
  }

  public List<Source> sources() {
    return sources;
  }

  public EnvSpec env() {
    return env;
  }

  public ColumnMapping mapping() {
    return mapping;
  }

  /** The inputs in a few words, for messages: the first file and how many more. */
  public String describe() {
    String first = sources.get(0).file().toString();
    int more = sources.size() - 1;
    return more == 0 ? first : first + " (and " + more + " more file" + (more == 1 ? "" : "s") + ")";
  }

  /** Rows as the footers count them. */
  public long rows() {
    return sources.stream().mapToLong(Source::rows).sum();
  }

  /** Streams every row group of every file, validated, as Arrow batches (closed after the consumer returns). */
  public void forEachBatch(BatchConsumer consumer) {
    for (int i = 0; i < sources.size(); i++) {
      new RowGroupReader(sources.get(i).file(), env, mapping).read(i, consumer);
    }
  }

  /** Expands files, directories (their visible {@code .parquet} files) and globs into a sorted list of files. */
  public static List<Path> resolve(List<String> paths) {
    List<Path> files = new ArrayList<>();
    for (String spec : paths) {
      Path p = Path.of(spec);
      if (Files.isRegularFile(p)) {
        files.add(p);
      } else if (Files.isDirectory(p)) {
        List<Path> parts = listParquet(p, "*.parquet");
        if (parts.isEmpty()) {
          throw new BadInputException(p, "directory holds no .parquet files");
        }
        PartManifest.verify(p, parts);
        files.addAll(parts);
      } else if (spec.contains("*") || spec.contains("?") || spec.contains("[")) {
        Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
        List<Path> matched = Files.isDirectory(dir) ? listParquet(dir, p.getFileName().toString()) : List.of();
        if (matched.isEmpty()) {
          throw new BadInputException(p, "no file matches this pattern");
        }
        files.addAll(matched);
      } else {
        throw new BadInputException(p, "no such file or directory");
      }
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no input files given");
    }
    return files;
  }

  private static List<Path> listParquet(Path dir, String glob) {
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        // Hidden and underscore files are temporaries and side files (ours and Spark's), never data.
        if (!name.startsWith(".") && !name.startsWith("_") && Files.isRegularFile(e) && matcher.matches(e.getFileName())) {
          out.add(e);
        }
      }
    } catch (IOException e) {
      throw new BadInputException(dir, "cannot list directory (" + e.getMessage() + ")", e);
    }
    out.sort(null);
    return out;
  }

  private static Source footer(Path file) {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), OPTIONS)) {
      return new Source(file, Files.size(file), reader.getRecordCount(),
          DatasetMetadata.fromKeyValues(reader.getFileMetaData().getKeyValueMetaData()));
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(file, "not a readable Parquet file (" + firstLine(e) + ")", e);
    }
  }

  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** Decodes one file column by column with Parquet-MR's column readers, one row group at a time. */
  private static final class RowGroupReader {
    private final Path file;
    private final EnvSpec env;
    private final ColumnMapping mapping;

    RowGroupReader(Path file, EnvSpec env, ColumnMapping mapping) {
      this.file = file;
      this.env = env;
      this.mapping = mapping;
    }

    void read(int fileIndex, BatchConsumer consumer) {
      long expected;
      long seen = 0;
      int group = 0;
      try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), OPTIONS)) {
        expected = reader.getRecordCount();
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
        Columns columns = new Columns(schema);
        PageReadStore pages;
        while ((pages = reader.readNextRowGroup()) != null) {
          int rows = Math.toIntExact(pages.getRowCount());
          ColumnReadStoreImpl store =
              new ColumnReadStoreImpl(pages, new DummyRecordConverter(schema).getRootConverter(), schema, createdBy);
          try (TransitionBatch batch = new TransitionBatch(env.observationSize(), Math.max(rows, 1))) {
            fill(columns, store, batch, rows, group);
            consumer.accept(fileIndex, batch);
          }
          seen += rows;
          group++;
        }
      } catch (BadInputException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw new BadInputException(file, "corrupt or unreadable Parquet data in row group " + group + " ("
            + firstLine(e) + ")", e);
      }
      if (seen != expected) {
        throw new BadInputException(file, "footer promises " + expected + " rows but " + seen + " were read");
      }
    }

    private void fill(Columns columns, ColumnReadStoreImpl store, TransitionBatch b, int rows, int group) {
      String where = "row group " + group;
      readObservation(columns, store, mapping.obs(), b.obsValues, rows, where);
      readObservation(columns, store, mapping.nextObs(), b.nextObsValues, rows, where);
      Scalar action = columns.scalar(store, mapping.action());
      Scalar reward = columns.scalar(store, mapping.reward());
      Scalar terminated = mapping.terminated() == null ? null : columns.scalar(store, mapping.terminated());
      Scalar truncated = mapping.truncated() == null ? null : columns.scalar(store, mapping.truncated());
      Scalar episode = mapping.episode() == null ? null : columns.scalar(store, mapping.episode());
      boolean ours = DatasetSchema.EPISODE_ID.equals(mapping.episode()) && columns.has(DatasetSchema.STEP)
          && columns.has(DatasetSchema.BEHAVIOR_PROB);
      Scalar step = ours ? columns.scalar(store, DatasetSchema.STEP) : null;
      Scalar prob = ours ? columns.scalar(store, DatasetSchema.BEHAVIOR_PROB) : null;
      for (int r = 0; r < rows; r++) {
        double a = action.next(r, where);
        if (a != Math.rint(a) || a < 0 || a >= env.actionCount()) {
          throw new BadInputException(file, where + ", row " + r + ": action " + format(a) + " is outside [0, "
              + env.actionCount() + ") for " + env.id());
        }
        double rew = reward.next(r, where);
        if (!Double.isFinite(rew)) {
          throw new BadInputException(file, where + ", row " + r + ": reward is " + rew);
        }
        b.action.setSafe(r, (int) a);
        b.reward.setSafe(r, (float) rew);
        b.terminated.setSafe(r, terminated != null && terminated.next(r, where) != 0 ? 1 : 0);
        b.truncated.setSafe(r, truncated != null && truncated.next(r, where) != 0 ? 1 : 0);
        b.episodeId.setSafe(r, episode == null ? -1 : (long) episode.next(r, where));
        b.step.setSafe(r, step == null ? -1 : (int) step.next(r, where));
        b.behaviorProb.setSafe(r, prob == null ? Float.NaN : (float) prob.next(r, where));
      }
      b.seal(rows);
    }

    private void readObservation(Columns columns, ColumnReadStoreImpl store, List<String> names,
        org.apache.arrow.vector.Float4Vector out, int rows, String where) {
      int d = env.observationSize();
      if (names.size() == 1 && columns.isList(names.get(0))) {
        String name = names.get(0);
        ColumnReader cr = store.getColumnReader(columns.leaf(name));
        int maxDef = cr.getDescriptor().getMaxDefinitionLevel();
        long total = cr.getTotalValueCount();
        int row = -1;
        int count = 0;
        for (long v = 0; v < total; v++) {
          if (cr.getCurrentRepetitionLevel() == 0) {
            checkLength(name, row, count, where);
            row++;
            count = 0;
          }
          if (cr.getCurrentDefinitionLevel() == maxDef) {
            if (count < d) {
              float x = (float) value(cr);
              if (!Float.isFinite(x)) {
                throw new BadInputException(file, where + ", row " + row + ": " + name + "[" + count + "] is " + x);
              }
              out.setSafe(row * d + count, x);
            }
            count++;
          } else if (cr.getCurrentDefinitionLevel() == maxDef - 1 && cr.getDescriptor().getPrimitiveType()
              .isRepetition(org.apache.parquet.schema.Type.Repetition.OPTIONAL)) {
            throw new BadInputException(file, where + ", row " + row + ": " + name + "[" + count + "] is null");
          }
          cr.consume();
        }
        checkLength(name, row, count, where);
        if (row + 1 != rows) {
          throw new BadInputException(file, where + ": column " + name + " has " + (row + 1) + " rows, expected " + rows);
        }
      } else {
        if (names.size() != d) {
          throw new BadInputException(file, "observation columns " + names + " give " + names.size()
              + " values, but " + env.id() + " observations have " + d);
        }
        for (int k = 0; k < d; k++) {
          Scalar s = columns.scalar(store, names.get(k));
          for (int r = 0; r < rows; r++) {
            float x = (float) s.next(r, where);
            if (!Float.isFinite(x)) {
              throw new BadInputException(file, where + ", row " + r + ": " + names.get(k) + " is " + x);
            }
            out.setSafe(r * d + k, x);
          }
        }
      }
    }

    private void checkLength(String name, int row, int count, String where) {
      if (row >= 0 && count != env.observationSize()) {
        throw new BadInputException(file, where + ", row " + row + ": " + name + " has " + count + " values, but "
            + env.id() + " observations have " + env.observationSize());
      }
    }

    private static String format(double a) {
      return a == Math.rint(a) ? Long.toString((long) a) : Double.toString(a);
    }

    /** The leaf columns of a file by top-level name. */
    private final class Columns {
      private final MessageType schema;

      Columns(MessageType schema) {
        this.schema = schema;
      }

      boolean has(String name) {
        return schema.containsField(name);
      }

      boolean isList(String name) {
        return has(name) && leaf(name).getMaxRepetitionLevel() > 0;
      }

      ColumnDescriptor leaf(String name) {
        if (!has(name)) {
          throw new BadInputException(file, "missing column '" + name + "' (columns: "
              + schema.getFields().stream().map(f -> f.getName()).toList() + ")");
        }
        List<ColumnDescriptor> leaves =
            schema.getColumns().stream().filter(c -> c.getPath()[0].equals(name)).toList();
        if (leaves.size() != 1) {
          throw new BadInputException(file, "column '" + name + "' is a nested structure batchq cannot read");
        }
        return leaves.get(0);
      }

      Scalar scalar(ColumnReadStoreImpl store, String name) {
        ColumnDescriptor c = leaf(name);
        if (c.getMaxRepetitionLevel() > 0) {
          throw new BadInputException(file, "column '" + name + "' is a list, expected one value per row");
        }
        return new Scalar(name, store.getColumnReader(c));
      }
    }

    /** Reads a one-value-per-row column of any numeric or boolean type as doubles. */
    private final class Scalar {
      private final String name;
      private final ColumnReader reader;
      private final int maxDef;

      Scalar(String name, ColumnReader reader) {
        this.name = name;
        this.reader = reader;
        this.maxDef = reader.getDescriptor().getMaxDefinitionLevel();
      }

      double next(int row, String where) {
        if (reader.getCurrentDefinitionLevel() != maxDef) {
          throw new BadInputException(file, where + ", row " + row + ": " + name + " is null");
        }
        double v = value(reader);
        reader.consume();
        return v;
      }
    }
  }

  private static double value(ColumnReader cr) {
    return switch (cr.getDescriptor().getPrimitiveType().getPrimitiveTypeName()) {
      case FLOAT -> cr.getFloat();
      case DOUBLE -> cr.getDouble();
      case INT32 -> cr.getInteger();
      case INT64 -> cr.getLong();
      case BOOLEAN -> cr.getBoolean() ? 1 : 0;
      default -> throw new IllegalArgumentException("column " + String.join(".", cr.getDescriptor().getPath())
          + " has type " + cr.getDescriptor().getPrimitiveType().getPrimitiveTypeName() + ", expected a number");
    };
  }

}
