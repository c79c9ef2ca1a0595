package org.batchq.loop;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a run of this name keeps its outputs under {@code root} (docs/run.md): one dataset and one model per round,
 * the best model, the plots and the run manifest.
 */
public record RunPaths(Path root, String name) {
  public Path datasetOf(int round) {
    return datasets().resolve(String.format("round-%02d.parquet", round));
  }

  public Path modelOf(int round) {
    return models().resolve(String.format("round-%02d", round));
  }

  public Path bestModel() {
    return models().resolve("best");
  }

  public Path plotDir() {
    return root.resolve("plots").resolve(name);
  }

  public Path manifestPath() {
    return root.resolve("runs").resolve(name + ".json");
  }

  /** Everything the run writes, as --force removes it. */
  List<Path> outputs() {
    return List.of(datasets(), models(), plotDir(), manifestPath());
  }

  /** {@code path} relative to the root, as the run manifest records it. */
  String relative(Path path) {
    return root.relativize(path).toString();
  }

  private Path datasets() {
    return root.resolve("datasets").resolve(name);
  }

  private Path models() {
    return root.resolve("models").resolve(name);
  }
}
