package org.batchq.env;

/**
 * A small, fully specified random stream (SplitMix64) so that datasets are reproducible across JDKs.
 *
 * <p>Streams are derived, never shared: {@link #derive(long, long...)} hashes a seed and a path of keys
 * (stream kind, round, episode) into an independent stream. This is what makes episode i's rows the same
 * whatever the number of environments stepped in lockstep (docs/reproducibility.md).
 */
public final class Rng {
  private long state;

  private Rng(long state) {
    this.state = state;
  }

  /** The stream for {@code seed} followed by {@code keys}, e.g. {@code derive(seed, RESET, round, episode)}. */
  public static Rng derive(long seed, long... keys) {
    long s = mix(seed ^ 0x5851F42D4C957F2DL);
    for (long k : keys) {
      s = mix(s + 0x9E3779B97F4A7C15L * (k + 1));
    }
    return new Rng(s);
  }

  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    return mix(z);
  }

  /** Uniform in [0, 1) with 53 random bits, as numpy draws it. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [low, high), computed as numpy's {@code low + (high - low) * u}. */
  public double uniform(double low, double high) {
    return low + (high - low) * nextDouble();
  }

  /** Uniform integer in [0, bound) without modulo bias. */
  public int nextInt(int bound) {
    return (int) ((nextLong() >>> 33) * bound >>> 31);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
