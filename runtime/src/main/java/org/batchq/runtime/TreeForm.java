package org.batchq.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two shapes of XGBoost Q-function: {@code MULTIPLE}, one booster per action trained on the rows that took
 * it; {@code SINGLE}, one booster on [obs, one-hot(action)]. What differs between them is said here once.
 */
public enum TreeForm {
  MULTIPLE,
  SINGLE;

  /** How many boosters a Q-function of this form has. */
  public int boosters(int actionCount) {
    return this == MULTIPLE ? actionCount : 1;
  }

  /** Which booster predicts Q(s, a). */
  public int boosterOf(int action) {
    return this == MULTIPLE ? action : 0;
  }

  /** The width of a booster's input rows. */
  public int width(int observationSize, int actionCount) {
    return this == MULTIPLE ? observationSize : observationSize + actionCount;
  }

  /** The bundle's file name for booster {@code booster}: one per action for multiple, one for single. */
  public String fileName(int booster) {
    return this == MULTIPLE ? "q-action-" + booster + ".json" : "q.json";
  }

  /**
   * XGBoost's JSON model with {@code base_score} written as a plain number ({@code "3.8E1"}) instead of XGBoost 3's
   * list of one value per output ({@code "[3.8E1]"}): XGBoost 1.7 reads the list as 0.5 without a warning, shifting
   * every Q-value, while every XGBoost from 1.7 to 3.x reads the plain number as it is (docs/model-format.md). A
   * list of equal values (a multi-class model with one intercept for all classes) becomes that one number; a list
   * of different values stays as it is, since no single number says it.
   */
  public static byte[] portable(byte[] xgboostJson) {
    String json = new String(xgboostJson, StandardCharsets.UTF_8);
    Matcher m = BASE_SCORE_LIST.matcher(json);
    if (!m.find()) {
      return xgboostJson;
    }
    String[] values = m.group(1).split(",");
    if (java.util.Arrays.stream(values).distinct().count() != 1) {
      return xgboostJson;
    }
    String plain = json.substring(0, m.start()) + "\"base_score\":\"" + values[0] + "\"" + json.substring(m.end());
    return plain.getBytes(StandardCharsets.UTF_8);
  }

  /** A base score as XGBoost 2 and later write it: a list of one value per output. */
  private static final Pattern BASE_SCORE_LIST = Pattern.compile("\"base_score\":\"\\[([^\\]\"]*)\\]\"");

  /** Booster {@code b}'s file among a bundle's {@code files}; a missing one is refused by name. */
  public byte[] file(Map<String, byte[]> files, int b) {
    byte[] bytes = files.get(fileName(b));
    if (bytes == null) {
      throw new IllegalArgumentException("missing booster file " + fileName(b));
    }
    return bytes;
  }

  /** The algorithm's name as the CLI and manifests spell it. */
  public String algorithm() {
    return name().toLowerCase();
  }
}
