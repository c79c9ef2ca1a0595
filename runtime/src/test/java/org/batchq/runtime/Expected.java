package org.batchq.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The recorded fixtures' expected values (src/test/resources/recorded/expected/NAME.csv, one row per observation,
 * written by the core's bench.RuntimeFixtures) and the bit patterns tests compare them by. Shared with the core's
 * tests through this module's test jar.
 */
public final class Expected {
  private Expected() {}

  /** The rows of {@code dir/NAME.csv}, {@code cols} floats each, row-major. */
  public static float[] read(Path dir, String name, int cols) throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve(name + ".csv"));
    float[] out = new float[lines.size() * cols];
    for (int i = 0; i < lines.size(); i++) {
      String[] v = lines.get(i).split(",");
      for (int j = 0; j < cols; j++) {
        out[i * cols + j] = Float.parseFloat(v[j]);
      }
    }
    return out;
  }

  /** Each float's raw bits, so that equality is bit for bit (NaN payloads and -0 included). */
  public static int[] bits(float[] q) {
    int[] out = new int[q.length];
    for (int i = 0; i < q.length; i++) {
      out[i] = Float.floatToRawIntBits(q[i]);
    }
    return out;
  }
}
