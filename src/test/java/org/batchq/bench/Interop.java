package org.batchq.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.batchq.cli.Main;
import org.batchq.data.ColumnMapping;
import org.batchq.data.Dataset;
import org.batchq.fqi.FqiData;
import org.batchq.fqi.TrainingData;
import org.batchq.policy.GreedyPolicy;

/**
 * The Java half of {@code make interop}: fits a bundle of every kind on one dataset and writes, for each, the
 * Q-values batchq computes on that dataset's observations, for docs/examples/interop.py to recompute with Python's
 * XGBoost (or numpy, for the neural net) and compare.
 */
public final class Interop {
  /** Model kind and the fit options that make it. */
  static final Map<String, List<String>> KINDS = new LinkedHashMap<>();

  static {
    KINDS.put("single", List.of("--algorithm", "single", "--trees", "30"));
    KINDS.put("multiple", List.of("--algorithm", "multiple", "--trees", "30"));
    KINDS.put("averaged", List.of("--algorithm", "multiple", "--trees", "30", "--average-iterates", "3"));
    KINDS.put("warm", List.of("--algorithm", "single", "--trees", "10", "--warm-start"));
    KINDS.put("ensemble", List.of("--algorithm", "single", "--trees", "30", "--ensemble", "3"));
    KINDS.put("neural", List.of("--algorithm", "neural"));
  }

  private Interop() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/interop");
    Files.createDirectories(dir);
    Path data = dir.resolve("d.parquet");
    cli("collect", "--episodes", "300", "--seed", "1", "--out", data.toString(), "--force");
    FqiData rows = TrainingData.decode(Dataset.open(List.of(data.toString()), ColumnMapping.BATCHQ, null))
        .split(0, 0).train();
    int d = rows.observationSize();
    writeCsv(dir.resolve("obs.csv"), rows.obs(), rows.rows(), d);
    for (Map.Entry<String, List<String>> kind : KINDS.entrySet()) {
      Path bundle = dir.resolve(kind.getKey());
      List<String> fit = new ArrayList<>(List.of("fit", data.toString(), "--iterations", "10", "--seed", "3",
          "--out", bundle.toString(), "--force"));
      fit.addAll(kind.getValue());
      cli(fit.toArray(String[]::new));
      try (GreedyPolicy policy = GreedyPolicy.load(bundle)) {
        writeCsv(bundle.resolve("batchq-q.csv"), policy.qValues(rows.obs(), rows.rows()), rows.rows(),
            policy.model().q().actionCount());
      }
    }
    System.out.println("wrote " + rows.rows() + " observations and the Q-values of " + KINDS.size() + " bundles to "
        + dir);
  }

  static void cli(String... args) {
    int code = Main.run(args);
    if (code != 0) {
      throw new IllegalStateException("batchq " + String.join(" ", args) + " exited " + code);
    }
  }

  /** Floats as Java writes them (the shortest text that reads back as the same float32). */
  static void writeCsv(Path file, float[] values, int rows, int cols) throws Exception {
    Files.writeString(file, csv(values, rows, cols));
  }

  /** {@code rows} x {@code cols} values, one row per line; NaN written as Java writes it. */
  static String csv(float[] values, int rows, int cols) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        sb.append(j == 0 ? "" : ",").append(values[i * cols + j]);
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
