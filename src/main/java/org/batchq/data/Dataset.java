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
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
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

  static final ParquetReadOptions OPTIONS = ParquetReadOptions.builder(new PlainParquetConfiguration())
      .usePageChecksumVerification(true)
      .build();

  private final List<Source> sources;
  private final EnvSpec env;
  private final ColumnMapping mapping;
  private final List<String> notices;
  private final StepLayout.Paired steps; // one-row-per-step logs, paired when opened; null otherwise

  private Dataset(List<Source> sources, EnvSpec env, ColumnMapping mapping, List<String> notices,
      StepLayout.Paired steps) {
    this.sources = sources;
    this.env = env;
    this.mapping = mapping;
    this.notices = notices;
    this.steps = steps;
  }

  /**
   * Opens the footers of every file named by {@code paths} and settles the environment: from batchq's metadata,
   * or from {@code envId} for files written by other tools (null when not given). Mixing environments is an error.
   */
  public static Dataset open(List<String> paths, ColumnMapping mapping, String envId) {
    return open(paths, mapping, envId, null);
  }

  /**
   * The same, where files without metadata and without {@code envId} are a log without a simulator: its spaces
   * come from the data, with {@code actions} (null: the largest action in the data, as {@link #assumption} says).
   */
  public static Dataset open(List<String> paths, ColumnMapping mapping, String envId, Integer actions) {
    List<Path> files = resolve(paths);
    List<Source> sources = new ArrayList<>();
    for (Path file : files) {
      sources.add(footer(file));
    }
    DatasetMetadata.Settled settled = DatasetMetadata.settle(files, sources.stream().map(Source::metadata).toList(),
        envId, actions, mapping);
    List<String> notices = new ArrayList<>();
    if (settled.assumption() != null) {
      notices.add(settled.assumption());
    }
    StepLayout.Paired steps = null;
    if (mapping.oneRowPerStep()) {
      steps = StepLayout.pair(sources, settled.env(), mapping);
      if (steps.dropped() > 0) {
        notices.add("dropped " + steps.dropped() + " rows of " + describe(sources) + ": the last rows of episodes"
            + " that neither terminate nor are followed by a final row carrying the next observation");
      }
    }
    return new Dataset(List.copyOf(sources), settled.env(), mapping, List.copyOf(notices), steps);
  }

  /**
   * What a reader should know about how the files were read: what was assumed about a log's spaces (its action
   * count from its data), and rows a one-row-per-step log had to drop.
   */
  public List<String> notices() {
    return notices;
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
    return describe(sources);
  }

  private static String describe(List<Source> sources) {
    String first = sources.get(0).file().toString();
    int more = sources.size() - 1;
    return more == 0 ? first : first + " (and " + more + " more file" + (more == 1 ? "" : "s") + ")";
  }

  /** Transitions: rows as the footers count them, or the pairs a one-row-per-step log gave. */
  public long rows() {
    return steps != null ? steps.rows() : sources.stream().mapToLong(Source::rows).sum();
  }

  /** Streams every row group of every file, validated, as Arrow batches (closed after the consumer returns). */
  public void forEachBatch(BatchConsumer consumer) {
    if (steps != null) {
      StepLayout.emit(steps, consumer);
      return;
    }
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
}
