package org.batchq.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.batchq.io.BadInputException;
import org.batchq.io.Hashing;
import org.batchq.io.Json;

/**
 * {@code _batchq_parts.json} in a dataset directory: each part file's row count and SHA-256. Parquet's page CRCs do
 * not cover page headers, footers or metadata; this does, for the files batchq wrote. Readers verify it when it is
 * present (Spark and DuckDB skip files starting with '_').
 */
record PartManifest(int formatVersion, Map<String, Part> parts) {
  static final String FILE = "_batchq_parts.json";

  record Part(long rows, long bytes, String sha256) {}

  void write(Path dir) {
    try {
      Files.writeString(dir.resolve(FILE), Json.write(this));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  static Part describe(Path part, long rows) {
    try {
      return new Part(rows, Files.size(part), Hashing.sha256(part));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Checks the parts found in {@code dir} against its manifest, if it has one. */
  static void verify(Path dir, List<Path> found) {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return; // written by another tool: nothing to verify against
    }
    PartManifest m;
    try {
      m = Json.MAPPER.readValue(file.toFile(), PartManifest.class);
    } catch (IOException e) {
      throw new BadInputException(file, "unreadable part manifest (" + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    Map<String, Path> byName = new TreeMap<>();
    found.forEach(p -> byName.put(p.getFileName().toString(), p));
    for (String name : m.parts().keySet()) {
      if (!byName.containsKey(name)) {
        throw new BadInputException(dir.resolve(name), "missing: the dataset's part manifest lists it");
      }
    }
    for (Map.Entry<String, Path> e : byName.entrySet()) {
      Part expected = m.parts().get(e.getKey());
      if (expected == null) {
        throw new BadInputException(e.getValue(), "not listed in " + FILE + ": a stray file in the dataset directory");
      }
      Part actual = describe(e.getValue(), expected.rows());
      if (actual.bytes() != expected.bytes() || !actual.sha256().equals(expected.sha256())) {
        throw new BadInputException(e.getValue(), "SHA-256 does not match " + FILE + ": the file is corrupt or was changed");
      }
    }
  }
}
