package org.batchq.io;

import java.util.List;

/**
 * A setting out of its range, said in the domain's words: the message names settings as their JSON form spells
 * them ({@code gamma}, {@code validation_fraction}, {@code max_depth}), and {@link #settings()} lists those names
 * so that a front end can say them its own way (the CLI writes its flags, {@code --gamma}). A usage error: the CLI
 * exits with status 2.
 */
public class InvalidSettingException extends IllegalArgumentException {
  private final List<String> settings;

  public InvalidSettingException(String message, String... settings) {
    super(message);
    this.settings = List.of(settings);
  }

  /** The settings the message names, as it spells them. */
  public List<String> settings() {
    return settings;
  }

  /** Checks that {@code value} is at least {@code min}. */
  public static void atLeast(String setting, long value, long min) {
    if (value < min) {
      throw new InvalidSettingException(setting + " must be at least " + min + " (got " + value + ")", setting);
    }
  }

  /** Checks that {@code value} lies in the interval given by {@code lo}, {@code hi} and whether each end is included. */
  public static void in(String setting, double value, double lo, boolean loIncluded, double hi, boolean hiIncluded) {
    boolean ok = (loIncluded ? value >= lo : value > lo) && (hiIncluded ? value <= hi : value < hi);
    if (!ok) {
      throw new InvalidSettingException(setting + " must be in " + (loIncluded ? "[" : "(") + number(lo) + ", "
          + number(hi) + (hiIncluded ? "]" : ")") + " (got " + number(value) + ")", setting);
    }
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
