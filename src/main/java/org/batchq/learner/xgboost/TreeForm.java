package org.batchq.learner.xgboost;

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
  int boosterOf(int action) {
    return this == MULTIPLE ? action : 0;
  }

  /** The width of a booster's input rows. */
  int width(int observationSize, int actionCount) {
    return this == MULTIPLE ? observationSize : observationSize + actionCount;
  }

  /** The bundle's file name for booster {@code booster}: one per action for multiple, one for single. */
  public String fileName(int booster) {
    return this == MULTIPLE ? "q-action-" + booster + ".json" : "q.json";
  }

  /** The algorithm's name as the CLI and manifests spell it. */
  public String algorithm() {
    return name().toLowerCase();
  }
}
