package org.batchq.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.batchq.testing.Cli;
import org.batchq.testing.Duck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/dataset-format.md is the contract: its column table must match what collect writes. */
class DatasetFormatDocTest {
  @TempDir Path dir;

  static final Map<String, String> DUCKDB_TYPE = Map.of("int64", "BIGINT", "int32", "INTEGER", "float32", "FLOAT",
      "list<float32>", "FLOAT[]", "boolean", "BOOLEAN");

  @Test
  void documentedColumnsAreTheWrittenColumns() throws Exception {
    List<List<Object>> documented = Files.readAllLines(Path.of("docs", "dataset-format.md")).stream()
        .dropWhile(l -> !l.equals("## Columns"))
        .takeWhile(l -> !l.equals("## Key-value metadata"))
        .filter(l -> l.startsWith("| `"))
        .map(l -> l.split("\\|"))
        .map(c -> List.<Object>of(c[1].trim().replace("`", ""), DUCKDB_TYPE.get(c[2].trim())))
        .toList();
    Path f = dir.resolve("d.parquet");
    Cli.ok("collect", "--episodes", "3", "--out", f.toString());
    try (Duck duck = new Duck()) {
      List<List<Object>> written = duck.query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
          + Duck.quote(f) + ")");
      assertEquals(written, documented);
      assertEquals(DatasetSchema.COLUMNS, written.stream().map(r -> r.get(0)).toList());
    }
  }
}
