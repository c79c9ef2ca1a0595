package org.batchq.env;

/**
 * CartPole exactly as Gymnasium 1.x defines it ({@code classic_control/cartpole.py}): float64 state, float32
 * observations that round the state, Euler integration, and the same order of floating-point operations, which
 * reproduces every transition of the reference trajectories bit for bit (see CartPoleParityTest). v1 and v0 share
 * the physics; v0 (the seed's environment) stops at 200 steps and is solved at 195.
 */
public final class CartPole extends TimeLimitedEnv {
  public static final EnvSpec SPEC = new EnvSpec("CartPole-v1", 4, 2, 500, 475.0);
  public static final EnvSpec V0 = new EnvSpec("CartPole-v0", 4, 2, 200, 195.0);

  private static final double GRAVITY = 9.8;
  private static final double MASS_CART = 1.0;
  private static final double MASS_POLE = 0.1;
  private static final double TOTAL_MASS = MASS_POLE + MASS_CART;
  private static final double LENGTH = 0.5; // half the pole's length
  private static final double POLEMASS_LENGTH = MASS_POLE * LENGTH;
  private static final double FORCE_MAG = 10.0;
  private static final double TAU = 0.02;
  private static final double THETA_THRESHOLD = 12 * 2 * Math.PI / 360;
  private static final double X_THRESHOLD = 2.4;

  private final double[] x;
  private final double[] xDot;
  private final double[] theta;
  private final double[] thetaDot;

  /** CartPole-v1. */
  public CartPole(int size) {
    this(SPEC, size);
  }

  /** CartPole with {@code spec}'s time limit ({@link #SPEC} or {@link #V0}). */
  public CartPole(EnvSpec spec, int size) {
    super(spec, size);
    x = new double[size];
    xDot = new double[size];
    theta = new double[size];
    thetaDot = new double[size];
  }

  @Override
  public void reset(int slot, Rng rng, float[] obs, int offset) {
    setState(slot, 0, rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05),
        rng.uniform(-0.05, 0.05));
    writeObservation(slot, obs, offset);
  }

  /** Puts a slot into a given internal state after {@code elapsedSteps} steps (tests start from recorded states). */
  public void setState(int slot, int elapsedSteps, double x0, double xDot0, double theta0, double thetaDot0) {
    x[slot] = x0;
    xDot[slot] = xDot0;
    theta[slot] = theta0;
    thetaDot[slot] = thetaDot0;
    setElapsed(slot, elapsedSteps);
  }

  /** The float64 internal state of a slot: x, x_dot, theta, theta_dot. */
  public double[] state(int slot) {
    return new double[] {x[slot], xDot[slot], theta[slot], thetaDot[slot]};
  }

  @Override
  public void step(int[] actions, float[] nextObs, float[] rewards, boolean[] terminated, boolean[] truncated) {
    int d = spec().observationSize();
    for (int i = 0; i < x.length; i++) {
      double force = actions[i] == 1 ? FORCE_MAG : -FORCE_MAG;
      double th = theta[i];
      double thDot = thetaDot[i];
      double c = Math.cos(th);
      double s = Math.sin(th);
      // Gymnasium's order: polemass_length * theta_dot**2 * sin evaluates as (0.05 * td^2) * s; the bracketing
      // matters in the last bit.
      double temp = (force + POLEMASS_LENGTH * (thDot * thDot) * s) / TOTAL_MASS;
      double thetaAcc = (GRAVITY * s - c * temp) / (LENGTH * (4.0 / 3.0 - MASS_POLE * (c * c) / TOTAL_MASS));
      double xAcc = temp - POLEMASS_LENGTH * thetaAcc * c / TOTAL_MASS;
      double nx = x[i] + TAU * xDot[i];
      x[i] = nx;
      xDot[i] = xDot[i] + TAU * xAcc;
      double nth = th + TAU * thDot;
      theta[i] = nth;
      thetaDot[i] = thDot + TAU * thetaAcc;
      writeObservation(i, nextObs, i * d);
      rewards[i] = 1.0f; // including the terminating step
      terminated[i] = nx < -X_THRESHOLD || nx > X_THRESHOLD || nth < -THETA_THRESHOLD || nth > THETA_THRESHOLD;
      truncated[i] = tick(i);
    }
  }

  private void writeObservation(int slot, float[] obs, int offset) {
    obs[offset] = (float) x[slot];
    obs[offset + 1] = (float) xDot[slot];
    obs[offset + 2] = (float) theta[slot];
    obs[offset + 3] = (float) thetaDot[slot];
  }
}
