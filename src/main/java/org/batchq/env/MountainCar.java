package org.batchq.env;

/**
 * MountainCar-v0 exactly as Gymnasium 1.x defines it ({@code classic_control/mountain_car.py}): float64 position
 * and velocity, float32 observations that round them, the same order of floating-point operations, the left wall
 * that stops the car, and the goal at position 0.5 with non-negative velocity (termination); 200 steps truncate.
 * Actions: 0 accelerates left, 1 does nothing, 2 accelerates right. Reward -1 on every step.
 */
public final class MountainCar extends TimeLimitedEnv {
  /** Exploration holds random actions up to 50 steps: one-step dithering never reaches the goal (docs/run.md). */
  public static final EnvSpec SPEC = new EnvSpec("MountainCar-v0", 2, 3, 200, -110.0, 50);

  private static final double MIN_POSITION = -1.2;
  private static final double MAX_POSITION = 0.6;
  private static final double MAX_SPEED = 0.07;
  private static final double GOAL_POSITION = 0.5;
  private static final double GOAL_VELOCITY = 0;
  private static final double FORCE = 0.001;
  private static final double GRAVITY = 0.0025;

  private final double[] position;
  private final double[] velocity;

  public MountainCar(int size) {
    super(SPEC, size);
    position = new double[size];
    velocity = new double[size];
  }

  @Override
  public void reset(int slot, Rng rng, float[] obs, int offset) {
    setState(slot, 0, rng.uniform(-0.6, -0.4), 0);
    writeObservation(slot, obs, offset);
  }

  /** Puts a slot into a given state after {@code elapsedSteps} steps (tests start from recorded states). */
  public void setState(int slot, int elapsedSteps, double position0, double velocity0) {
    position[slot] = position0;
    velocity[slot] = velocity0;
    setElapsed(slot, elapsedSteps);
  }

  /** The float64 state of a slot: position, velocity. */
  public double[] state(int slot) {
    return new double[] {position[slot], velocity[slot]};
  }

  @Override
  public void step(int[] actions, float[] nextObs, float[] rewards, boolean[] terminated, boolean[] truncated) {
    int d = spec().observationSize();
    for (int i = 0; i < position.length; i++) {
      // Gymnasium: velocity += (action - 1) * force + cos(3 * position) * (-gravity), then the clips.
      double v = velocity[i] + ((actions[i] - 1) * FORCE + Math.cos(3 * position[i]) * (-GRAVITY));
      v = Math.min(Math.max(v, -MAX_SPEED), MAX_SPEED);
      double p = Math.min(Math.max(position[i] + v, MIN_POSITION), MAX_POSITION);
      if (p == MIN_POSITION && v < 0) {
        v = 0; // the car stops at the left wall
      }
      position[i] = p;
      velocity[i] = v;
      writeObservation(i, nextObs, i * d);
      rewards[i] = -1.0f;
      terminated[i] = p >= GOAL_POSITION && v >= GOAL_VELOCITY;
      truncated[i] = tick(i);
    }
  }

  private void writeObservation(int slot, float[] obs, int offset) {
    obs[offset] = (float) position[slot];
    obs[offset + 1] = (float) velocity[slot];
  }
}
