package org.batchq.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.DummyRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.batchq.env.EnvSpec;
import org.batchq.io.BadInputException;

/** Decodes one file column by column with Parquet-MR's column readers, one row group at a time. */
final class RowGroupReader {
  private final Path file;
  private final EnvSpec env;
  private final ColumnMapping mapping;

  RowGroupReader(Path file, EnvSpec env, ColumnMapping mapping) {
    this.file = file;
    this.env = env;
    this.mapping = mapping;
  }

  /** A file's spaces as its columns show them: the observation width and the largest action that occurs. */
  record Spaces(int observationSize, long maxAction) {}

  /**
   * Reads only what a log without a simulator must say about its spaces: the observation width (the scalar
   * columns' count, or the first row's list length) and the largest action (the whole action column).
   */
  Spaces scan() {
    int width = -1;
    long maxAction = -1;
    int group = 0;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), Dataset.OPTIONS)) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      Columns columns = new Columns(schema);
      boolean list = mapping.obs().size() == 1 && columns.isList(mapping.obs().get(0));
      width = list ? -1 : mapping.obs().size();
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        int rows = Math.toIntExact(pages.getRowCount());
        ColumnReadStoreImpl store =
            new ColumnReadStoreImpl(pages, new DummyRecordConverter(schema).getRootConverter(), schema, createdBy);
        String where = "row group " + group++;
        if (width < 0 && rows > 0) {
          width = firstListLength(store.getColumnReader(columns.leaf(mapping.obs().get(0))));
        }
        Actions action = new Actions(columns, store);
        for (int r = 0; r < rows; r++) {
          double a = action.next(r, where);
          if (Double.isNaN(a)) {
            continue; // a final-observation row
          }
          if (a != Math.rint(a) || a < 0) {
            throw new BadInputException(file, where + ", row " + r + ": action " + format(a) + " is not an index"
                + " 0, 1, 2, ...");
          }
          maxAction = Math.max(maxAction, (long) a);
        }
      }
    } catch (BadInputException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(file, "corrupt or unreadable Parquet data in row group " + group + " ("
          + Dataset.firstLine(e) + ")", e);
    }
    return new Spaces(Math.max(width, 0), maxAction);
  }

  /** The number of values in the first row of a list column. */
  private static int firstListLength(ColumnReader cr) {
    int maxDef = cr.getDescriptor().getMaxDefinitionLevel();
    int count = 0;
    for (long v = 0; v < cr.getTotalValueCount(); v++) {
      if (v > 0 && cr.getCurrentRepetitionLevel() == 0) {
        break;
      }
      count += cr.getCurrentDefinitionLevel() == maxDef ? 1 : 0;
      cr.consume();
    }
    return count;
  }

  void read(int fileIndex, Dataset.BatchConsumer consumer) {
    long expected;
    long seen = 0;
    int group = 0;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), Dataset.OPTIONS)) {
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
          + Dataset.firstLine(e) + ")", e);
    }
    if (seen != expected) {
      throw new BadInputException(file, "footer promises " + expected + " rows but " + seen + " were read");
    }
  }

  private void fill(Columns columns, ColumnReadStoreImpl store, TransitionBatch b, int rows, int group) {
    String where = "row group " + group;
    boolean steps = mapping.oneRowPerStep();
    readObservation(columns, store, mapping.obs(), b.obsValues, rows, where);
    if (!steps) { // one row per step: the next observations come from the episode's next rows (StepLayout)
      readObservation(columns, store, mapping.nextObs(), b.nextObsValues, rows, where);
    }
    Actions action = new Actions(columns, store);
    Scalar reward = columns.scalar(store, mapping.reward());
    Scalar terminated = mapping.terminated() == null ? null : columns.scalar(store, mapping.terminated());
    Scalar truncated = mapping.truncated() == null ? null : columns.scalar(store, mapping.truncated());
    Scalar episode = mapping.episode() == null ? null : columns.scalar(store, mapping.episode());
    boolean ours = DatasetSchema.EPISODE_ID.equals(mapping.episode()) && columns.has(DatasetSchema.STEP);
    Scalar step = steps ? columns.scalar(store, mapping.step()) : ours ? columns.scalar(store, DatasetSchema.STEP)
        : null;
    Scalar prob = columns.has(mapping.behaviorProb()) ? columns.scalar(store, mapping.behaviorProb()) : null;
    for (int r = 0; r < rows; r++) {
      double a = action.next(r, where);
      // One row per step: a row without an action carries an episode's final observation and nothing else.
      boolean last = Double.isNaN(a);
      if (!last && (a != Math.rint(a) || a < 0 || a >= env.actionCount())) {
        throw new BadInputException(file, where + ", row " + r + ": action " + format(a) + " is outside [0, "
            + env.actionCount() + ") for " + env.describe());
      }
      double rew = last ? reward.nextOrNaN() : reward.next(r, where);
      if (!last && !Double.isFinite(rew)) {
        throw new BadInputException(file, where + ", row " + r + ": reward is " + rew);
      }
      b.action.setSafe(r, last ? TransitionBatch.FINAL_OBSERVATION : (int) a);
      b.reward.setSafe(r, last ? 0 : (float) rew);
      b.terminated.setSafe(r, flag(terminated, last, r, where));
      b.truncated.setSafe(r, flag(truncated, last, r, where));
      b.episodeId.setSafe(r, episode == null ? -1 : (long) episode.next(r, where));
      b.step.setSafe(r, step == null ? -1 : (int) step.next(r, where));
      double p = prob == null ? Float.NaN : last ? prob.nextOrNaN() : prob.next(r, where);
      if (prob != null && !last && !(p > 0 && p <= 1)) {
        throw new BadInputException(file, where + ", row " + r + ": " + mapping.behaviorProb() + " is " + format(p)
            + "; a behaviour probability lies in (0, 1]");
      }
      b.behaviorProb.setSafe(r, (float) p);
    }
    b.seal(rows);
  }

  /** A flag column's value (0 when the column is absent); a final-observation row's flags may be null. */
  private static int flag(Scalar column, boolean last, int row, String where) {
    if (column == null) {
      return 0;
    }
    double v = last ? column.nextOrNaN() : column.next(row, where);
    return !Double.isNaN(v) && v != 0 ? 1 : 0;
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
            + " values, but " + env.describe() + " observations have " + d);
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
          + env.describe() + " observations have " + env.observationSize());
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

  /** The action column as action indices: numbers as they are, or names by their place in --action-values. */
  private final class Actions {
    private final Scalar numbers; // null for a column of names
    private final ColumnReader names;

    Actions(Columns columns, ColumnReadStoreImpl store) {
      ColumnDescriptor c = columns.leaf(mapping.action());
      boolean text = c.getPrimitiveType().getPrimitiveTypeName()
          == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
      if (text && mapping.actionValues() == null) {
        throw new BadInputException(file, "column '" + mapping.action() + "' holds names: give them in action order"
            + " with --action-values (e.g. --action-values left,right)");
      }
      if (!text && mapping.actionValues() != null) {
        throw new BadInputException(file, "--action-values names the actions of a column of names, but '"
            + mapping.action() + "' holds numbers");
      }
      numbers = text ? null : columns.scalar(store, mapping.action());
      names = text ? store.getColumnReader(c) : null;
    }

    /** The next row's action index; NaN for a null action of a one-row-per-step log (its final row). */
    double next(int row, String where) {
      boolean nullable = mapping.oneRowPerStep();
      if (numbers != null) {
        return nullable ? numbers.nextOrNaN() : numbers.next(row, where);
      }
      if (names.getCurrentDefinitionLevel() != names.getDescriptor().getMaxDefinitionLevel()) {
        if (nullable) {
          names.consume();
          return Double.NaN;
        }
        throw new BadInputException(file, where + ", row " + row + ": " + mapping.action() + " is null");
      }
      String name = names.getBinary().toStringUsingUTF8();
      names.consume();
      int index = mapping.actionValues().indexOf(name);
      if (index < 0) {
        throw new BadInputException(file, where + ", row " + row + ": action '" + name + "' is not one of"
            + " --action-values " + String.join(",", mapping.actionValues()));
      }
      return index;
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

    /** The next value, NaN where it is null. */
    double nextOrNaN() {
      double v = reader.getCurrentDefinitionLevel() == maxDef ? value(reader) : Double.NaN;
      reader.consume();
      return v;
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
