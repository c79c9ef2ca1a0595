package org.batchq;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** batchq's own version, as Maven stamped it into the build; recorded in every dataset and model. */
public final class Version {
  public static final String BATCHQ = load("version");
  /** The XGBoost4J version batchq was built against, recorded in model manifests. */
  public static final String XGBOOST = load("xgboost");

  private Version() {}

  private static String load(String key) {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty(key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
