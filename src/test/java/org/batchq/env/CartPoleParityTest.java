package org.batchq.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every transition of Gymnasium 1.4's CartPole-v1 reference trajectories, reproduced bit for bit. */
class CartPoleParityTest {
  static final Path REFERENCE = Path.of("..", "shared", "reference", "cartpole", "trajectories.csv");

  @Test
  void everyReferenceTransitionIsReproducedExactly() throws IOException {
    List<String[]> rows = Files.readAllLines(REFERENCE).stream().skip(1).map(l -> l.split(",", -1)).toList();
    CartPole env = new CartPole(1);
    float[] obs = new float[4];
    float[] reward = new float[1];
    boolean[] terminated = new boolean[1];
    boolean[] truncated = new boolean[1];
    int checked = 0;
    int endings = 0;
    for (int i = 0; i + 1 < rows.size(); i++) {
      String[] row = rows.get(i);
      if (row[12].isEmpty()) {
        continue; // the episode's final state: no action taken from it
      }
      String[] next = rows.get(i + 1);
      env.setState(0, Integer.parseInt(row[3]), d(row[4]), d(row[5]), d(row[6]), d(row[7]));
      env.step(new int[] {Integer.parseInt(row[12])}, obs, reward, terminated, truncated);
      double[] state = env.state(0);
      for (int k = 0; k < 4; k++) {
        String where = "row " + (i + 2) + " component " + k;
        assertEquals(Double.doubleToRawLongBits(d(next[4 + k])), Double.doubleToRawLongBits(state[k]), where);
        assertEquals(Float.floatToRawIntBits((float) d(next[8 + k])), Float.floatToRawIntBits(obs[k]), where);
      }
      assertEquals(Float.parseFloat(row[13]), reward[0], "reward, row " + (i + 2));
      assertEquals(row[14].equals("1"), terminated[0], "terminated, row " + (i + 2));
      assertEquals(row[15].equals("1"), truncated[0], "truncated, row " + (i + 2));
      endings += terminated[0] || truncated[0] ? 1 : 0;
      checked++;
    }
    assertEquals(5227, checked, "the reference file has 5227 transitions");
    assertEquals(20, endings, "10 terminated and 10 truncated episodes");
  }

  @Test
  void resetStatesLieInRangeAndFollowTheSeed() {
    CartPole env = new CartPole(3);
    float[] a = new float[12];
    float[] b = new float[12];
    for (int slot = 0; slot < 3; slot++) {
      env.reset(slot, Rng.derive(42, 0, slot), a, slot * 4);
      env.reset(slot, Rng.derive(42, 0, slot), b, slot * 4);
    }
    for (int k = 0; k < 12; k++) {
      assertTrue(a[k] >= -0.05f && a[k] < 0.05f, "component " + k + " = " + a[k]);
      assertEquals(a[k], b[k]);
    }
    env.reset(0, Rng.derive(43, 0, 0), b, 0);
    assertTrue(a[0] != b[0], "another seed gives another state");
  }

  private static double d(String s) {
    return Double.parseDouble(s);
  }
}
