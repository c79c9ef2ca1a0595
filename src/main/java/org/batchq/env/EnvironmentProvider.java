package org.batchq.env;

/**
 * A simulator batchq does not ship: implement this, name the class in
 * {@code META-INF/services/org.batchq.env.EnvironmentProvider} of a jar, and pass the jar with {@code --plugin JAR}
 * (or put it on the classpath). batchq finds it through {@link java.util.ServiceLoader} and uses it in
 * {@code collect}, {@code evaluate} and {@code run} exactly as its own environments (docs/environments.md).
 *
 * <p>Implement {@link #environment()} for one environment that batchq steps in lockstep for you, with the time
 * limit of the spec applied (truncation, not termination); or override {@link #vector(int)} to step many at once
 * over primitive arrays yourself, as the built-in simulators do. A provider needs a public no-argument constructor.
 */
public interface EnvironmentProvider {
  /** The environment's id, spaces, step limit and solved threshold; the id must not be a built-in one. */
  EnvSpec spec();

  /** One fresh environment, for providers that do not step a vector themselves. */
  default Environment environment() {
    throw new UnsupportedOperationException(getClass().getName() + " implements neither environment() nor vector()");
  }

  /** {@code size} environments stepped in lockstep; by default copies of {@link #environment()}. */
  default VectorEnv vector(int size) {
    return new Lockstep(spec(), size, this::environment);
  }
}
