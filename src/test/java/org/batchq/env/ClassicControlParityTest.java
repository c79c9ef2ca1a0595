package org.batchq.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every transition of Gymnasium 1.4's MountainCar-v0 and Acrobot-v1 reference trajectories (../shared/reference),
 * stepped from the recorded state and compared: observations, rewards and both flags bit for bit on every
 * transition; the float64 state bit for bit too, except where Java's {@code Math.sin}/{@code Math.cos} and glibc's
 * differ in the last bit, which only Acrobot's four trigonometric calls per RK4 stage meet (docs/environments.md):
 * those transitions are listed and held to {@link #ACROBOT_ULPS} units in the last place.
 */
class ClassicControlParityTest {
  static final Path REFERENCE = Path.of("..", "shared", "reference");

  /** How far (in ulps of the float64 state) a transition touched by a libm difference may land; measured 8. */
  static final long ACROBOT_ULPS = 16;

  /** One environment's slot 0, as the test drives it. */
  interface Slot {
    void set(int elapsed, double[] state);

    double[] state();
  }

  @Test
  void mountainCarReproducesEveryReferenceTransition() throws IOException {
    MountainCar env = new MountainCar(1);
    Slot slot = new Slot() {
      public void set(int elapsed, double[] s) {
        env.setState(0, elapsed, s[0], s[1]);
      }

      public double[] state() {
        return env.state(0);
      }
    };
    int[] counts = check(env, slot, "mountaincar", 2, 2, 0);
    assertEquals(3382, counts[0], "the reference file has 3382 transitions");
    assertEquals(20, counts[1], "10 terminated and 10 truncated episodes");
  }

  @Test
  void acrobotReproducesEveryReferenceTransition() throws IOException {
    Acrobot env = new Acrobot(1);
    Slot slot = new Slot() {
      public void set(int elapsed, double[] s) {
        env.setState(0, elapsed, s);
      }

      public double[] state() {
        return env.state(0);
      }
    };
    int[] counts = check(env, slot, "acrobot", 4, 6, ACROBOT_ULPS);
    assertEquals(5936, counts[0], "the reference file has 5936 transitions");
    assertEquals(20, counts[1], "10 terminated and 10 truncated episodes");
  }

  @Test
  void cartPoleV0IsV1WithATwoHundredStepLimit() {
    CartPole v0 = new CartPole(CartPole.V0, 1);
    CartPole v1 = new CartPole(1);
    float[] a = new float[4];
    float[] b = new float[4];
    float[] r = new float[1];
    boolean[] term = new boolean[1];
    boolean[] truncA = new boolean[1];
    boolean[] truncB = new boolean[1];
    v0.setState(0, 199, 0.01, 0, 0.01, 0);
    v1.setState(0, 199, 0.01, 0, 0.01, 0);
    v0.step(new int[] {0}, a, r, term, truncA);
    v1.step(new int[] {0}, b, r, term, truncB);
    assertTrue(Arrays.equals(a, b), "the same physics");
    assertTrue(truncA[0] && !truncB[0], "v0 truncates at 200 steps, v1 does not");
    assertEquals(CartPole.V0, Environments.spec("CartPole-v0"));
  }

  /**
   * Steps every recorded transition; returns the number checked and the number of episode endings. The state may
   * miss by at most {@code ulps} (0: exact) on at most 1% of transitions, which are named if that is exceeded.
   */
  static int[] check(VectorEnv env, Slot slot, String name, int stateSize, int obsSize, long ulps)
      throws IOException {
    List<String> lines = Files.readAllLines(REFERENCE.resolve(name).resolve("trajectories.csv"));
    List<String[]> rows = lines.stream().skip(1).map(l -> l.split(",", -1)).toList();
    int action = 4 + stateSize + obsSize;
    float[] obs = new float[obsSize];
    float[] reward = new float[1];
    boolean[] terminated = new boolean[1];
    boolean[] truncated = new boolean[1];
    int checked = 0;
    int endings = 0;
    List<String> inexact = new java.util.ArrayList<>();
    for (int i = 0; i + 1 < rows.size(); i++) {
      String[] row = rows.get(i);
      if (row[action].isEmpty()) {
        continue; // the episode's final state: no action taken from it
      }
      String[] next = rows.get(i + 1);
      double[] state = new double[stateSize];
      for (int k = 0; k < stateSize; k++) {
        state[k] = Double.parseDouble(row[4 + k]);
      }
      slot.set(Integer.parseInt(row[3]), state);
      env.step(new int[] {Integer.parseInt(row[action])}, obs, reward, terminated, truncated);
      double[] got = slot.state();
      String where = name + " row " + (i + 2);
      long worst = 0;
      for (int k = 0; k < stateSize; k++) {
        long want = Double.doubleToRawLongBits(Double.parseDouble(next[4 + k]));
        long off = Math.abs(want - Double.doubleToRawLongBits(got[k]));
        assertTrue(off <= ulps, where + " state " + k + ": " + off + " ulps off");
        worst = Math.max(worst, off);
      }
      if (worst > 0) {
        inexact.add((i + 2) + " (" + worst + " ulps)");
      }
      for (int k = 0; k < obsSize; k++) {
        assertEquals(Float.floatToRawIntBits((float) Double.parseDouble(next[4 + stateSize + k])),
            Float.floatToRawIntBits(obs[k]), where + " observation " + k);
      }
      assertEquals(Float.parseFloat(row[action + 1]), reward[0], where + " reward");
      assertEquals(row[action + 2].equals("1"), terminated[0], where + " terminated");
      assertEquals(row[action + 3].equals("1"), truncated[0], where + " truncated");
      endings += terminated[0] || truncated[0] ? 1 : 0;
      checked++;
    }
    assertTrue(inexact.size() <= checked / 100, name + ": states off in the last bits at rows " + inexact);
    return new int[] {checked, endings};
  }
}
