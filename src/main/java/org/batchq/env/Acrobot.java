package org.batchq.env;

/**
 * Acrobot-v1 exactly as Gymnasium 1.x defines it ({@code classic_control/acrobot.py}, the book's dynamics): one
 * classical RK4 step of 0.2 s on [theta1, theta2, dtheta1, dtheta2, torque], angles wrapped into [-pi, pi],
 * velocities clipped, in Gymnasium's order of floating-point operations. The reset state is drawn in float64 and
 * rounded to float32, as Gymnasium does; afterwards the state is float64. Observations are float32 of [cos theta1,
 * sin theta1, cos theta2, sin theta2, dtheta1, dtheta2]. Actions apply torque -1, 0 or +1; reward -1 per step and 0
 * on the step that reaches the goal height (termination); 500 steps truncate.
 */
public final class Acrobot extends TimeLimitedEnv {
  /** Exploration holds random actions up to 20 steps: one-step dithering rarely swings up (docs/run.md). */
  public static final EnvSpec SPEC = new EnvSpec("Acrobot-v1", 6, 3, 500, -100.0, 20);

  private static final double DT = 0.2;
  private static final double M1 = 1.0;
  private static final double M2 = 1.0;
  private static final double L1 = 1.0;
  private static final double LC1 = 0.5;
  private static final double LC2 = 0.5;
  private static final double I1 = 1.0;
  private static final double I2 = 1.0;
  private static final double G = 9.8;
  private static final double MAX_VEL_1 = 4 * Math.PI;
  private static final double MAX_VEL_2 = 9 * Math.PI;
  private static final double[] TORQUE = {-1.0, 0.0, 1.0};

  private final double[][] state; // per slot: theta1, theta2, dtheta1, dtheta2

  public Acrobot(int size) {
    super(SPEC, size);
    state = new double[size][4];
  }

  @Override
  public void reset(int slot, Rng rng, float[] obs, int offset) {
    double[] s = new double[4];
    for (int k = 0; k < 4; k++) {
      s[k] = (float) rng.uniform(-0.1, 0.1); // Gymnasium: uniform(...).astype(np.float32)
    }
    setState(slot, 0, s);
    writeObservation(slot, obs, offset);
  }

  /** Puts a slot into a given state after {@code elapsedSteps} steps (tests start from recorded states). */
  public void setState(int slot, int elapsedSteps, double[] s) {
    System.arraycopy(s, 0, state[slot], 0, 4);
    setElapsed(slot, elapsedSteps);
  }

  /** The float64 state of a slot: theta1, theta2, dtheta1, dtheta2. */
  public double[] state(int slot) {
    return state[slot].clone();
  }

  @Override
  public void step(int[] actions, float[] nextObs, float[] rewards, boolean[] terminated, boolean[] truncated) {
    int d = spec().observationSize();
    for (int i = 0; i < state.length; i++) {
      double[] ns = rk4(state[i], TORQUE[actions[i]]);
      ns[0] = wrap(ns[0]);
      ns[1] = wrap(ns[1]);
      ns[2] = Math.min(Math.max(ns[2], -MAX_VEL_1), MAX_VEL_1);
      ns[3] = Math.min(Math.max(ns[3], -MAX_VEL_2), MAX_VEL_2);
      state[i] = ns;
      boolean goal = -Math.cos(ns[0]) - Math.cos(ns[1] + ns[0]) > 1.0;
      writeObservation(i, nextObs, i * d);
      rewards[i] = goal ? 0.0f : -1.0f;
      terminated[i] = goal;
      truncated[i] = tick(i);
    }
  }

  /** Gymnasium's rk4 over [0, dt] on the state augmented with the torque (whose derivative is 0). */
  private static double[] rk4(double[] s, double torque) {
    double[] y0 = {s[0], s[1], s[2], s[3], torque};
    double dt = DT - 0.0;
    double dt2 = dt / 2.0;
    double[] k1 = dsdt(y0);
    double[] k2 = dsdt(axpy(y0, dt2, k1));
    double[] k3 = dsdt(axpy(y0, dt2, k2));
    double[] k4 = dsdt(axpy(y0, dt, k3));
    double[] out = new double[4];
    for (int j = 0; j < 4; j++) {
      out[j] = y0[j] + dt / 6.0 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
    }
    return out;
  }

  private static double[] axpy(double[] y, double a, double[] k) {
    double[] out = new double[5];
    for (int j = 0; j < 5; j++) {
      out[j] = y[j] + a * k[j];
    }
    return out;
  }

  /** The book's equations of motion, in Gymnasium's order of operations ({@code x**2} is x * x, exactly). */
  private static double[] dsdt(double[] y) {
    double a = y[4];
    double theta1 = y[0];
    double theta2 = y[1];
    double dtheta1 = y[2];
    double dtheta2 = y[3];
    double d1 = M1 * (LC1 * LC1) + M2 * (L1 * L1 + LC2 * LC2 + 2 * L1 * LC2 * Math.cos(theta2)) + I1 + I2;
    double d2 = M2 * (LC2 * LC2 + L1 * LC2 * Math.cos(theta2)) + I2;
    double phi2 = M2 * LC2 * G * Math.cos(theta1 + theta2 - Math.PI / 2.0);
    double phi1 = -M2 * L1 * LC2 * (dtheta2 * dtheta2) * Math.sin(theta2)
        - 2 * M2 * L1 * LC2 * dtheta2 * dtheta1 * Math.sin(theta2)
        + (M1 * LC1 + M2 * L1) * G * Math.cos(theta1 - Math.PI / 2)
        + phi2;
    double ddtheta2 = (a + d2 / d1 * phi1 - M2 * L1 * LC2 * (dtheta1 * dtheta1) * Math.sin(theta2) - phi2)
        / (M2 * (LC2 * LC2) + I2 - (d2 * d2) / d1);
    double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    return new double[] {dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0};
  }

  /** Into [-pi, pi] by whole turns, as Gymnasium's wrap() steps. */
  private static double wrap(double x) {
    double diff = Math.PI - (-Math.PI);
    while (x > Math.PI) {
      x = x - diff;
    }
    while (x < -Math.PI) {
      x = x + diff;
    }
    return x;
  }

  private void writeObservation(int slot, float[] obs, int offset) {
    double[] s = state[slot];
    obs[offset] = (float) Math.cos(s[0]);
    obs[offset + 1] = (float) Math.sin(s[0]);
    obs[offset + 2] = (float) Math.cos(s[1]);
    obs[offset + 3] = (float) Math.sin(s[1]);
    obs[offset + 4] = (float) s[2];
    obs[offset + 5] = (float) s[3];
  }
}
