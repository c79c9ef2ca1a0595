package org.batchq.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtime artifact on its own classpath (Jackson only): it loads the core's recorded bundles of every kind and
 * gives, bit for bit, the values the core computes from them (for the tree kinds, XGBoost's own predictions:
 * RuntimeFixturesTest in the core proves it), on states CartPole visits, far outside them, and with missing values.
 */
class BundleTest {
  static final Path RECORDED = Path.of(System.getProperty("batchq.recorded", "../src/test/resources/recorded"));
  static final Path EXPECTED = RECORDED.resolve("expected");
  static final int D = 4;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"single", "multiple", "averaged", "warm", "ensemble", "started", "neural", "bc"})
  void everyKindActsAsTheCoreDoes(String kind) throws Exception {
    Bundle loaded = Bundle.load(RECORDED.resolve(kind));
    float[] obs = Expected.read(EXPECTED, "observations", D);
    int rows = obs.length / D;
    float[] expected = Expected.read(EXPECTED, kind, 2);
    for (Bundle bundle : List.of(loaded, loaded.withCompiledTrees())) {
      assertEquals(2, bundle.actionCount());
      assertEquals(D, bundle.observationSize());
      assertArrayEquals(Expected.bits(expected), Expected.bits(bundle.q().predict(obs, rows)), kind);
      for (int i = 0; i < rows; i++) {
        float[] one = java.util.Arrays.copyOfRange(obs, i * D, (i + 1) * D);
        assertArrayEquals(Expected.bits(java.util.Arrays.copyOfRange(expected, i * 2, i * 2 + 2)),
            Expected.bits(bundle.qValues(one)));
        assertEquals(expected[i * 2 + 1] > expected[i * 2] ? 1 : 0, bundle.act(one), kind + " row " + i);
      }
    }
  }

  @Test
  void noNativeOrTrainingLibraryIsOnTheClasspath() {
    for (String name : List.of("ml.dmlc.xgboost4j.java.Booster", "ai.djl.Model", "org.apache.parquet.hadoop"
        + ".ParquetReader", "org.apache.hadoop.conf.Configuration", "org.apache.arrow.vector.VectorSchemaRoot",
        "org.batchq.cli.Main")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name);
    }
  }

  @Test
  void aChangedFileIsRefusedByName(@TempDir Path dir) throws Exception {
    Path copy = copy(RECORDED.resolve("multiple"), dir.resolve("m"));
    byte[] b = Files.readAllBytes(copy.resolve("q-action-1.json"));
    b[b.length / 2] ^= 1;
    Files.write(copy.resolve("q-action-1.json"), b);
    BundleException e = assertThrows(BundleException.class, () -> Bundle.load(copy));
    assertEquals(copy.resolve("q-action-1.json"), e.file());
    assertTrue(e.problem().contains("SHA-256"), e.getMessage());
  }

  @Test
  void aMissingFileOrManifestIsRefusedByName(@TempDir Path dir) throws Exception {
    Path copy = copy(RECORDED.resolve("single"), dir.resolve("s"));
    Files.delete(copy.resolve("q.json"));
    BundleException e = assertThrows(BundleException.class, () -> Bundle.load(copy));
    assertEquals(copy.resolve("q.json"), e.file());
    BundleException none = assertThrows(BundleException.class, () -> Bundle.load(dir.resolve("nothing")));
    assertTrue(none.problem().contains("missing"), none.getMessage());
  }

  @Test
  void anObservationOfAnotherWidthIsRefused() {
    Bundle bundle = Bundle.load(RECORDED.resolve("single"));
    assertThrows(IllegalArgumentException.class, () -> bundle.act(new float[3]));
  }

  static Path copy(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }
}
