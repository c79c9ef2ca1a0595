package org.batchq.spark;

import org.batchq.cli.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code batchq-spark}: batchq's commands that run on Apache Spark (docs/spark.md). Same options, errors and exit
 * codes as {@code batchq}; {@code bin/batchq fit --engine spark} lands here.
 */
@Command(name = "batchq-spark", mixinStandardHelpOptions = true, version = "batchq-spark 0.1.0",
    description = "Fit batchq models on Apache Spark (XGBoost4J-Spark).", subcommands = SparkFitCommand.class)
public final class SparkMain {
  @Option(names = "--verbose", description = "Print stack traces and extra detail.", scope = CommandLine.ScopeType.INHERIT)
  void verbose(boolean on) {
    Main.verbose(on);
  }

  public static void main(String[] args) {
    System.exit(Main.execute(new SparkMain(), args));
  }
}
