package org.batchq.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.batchq.Version;
import org.batchq.env.Environments;
import org.batchq.io.AtomicOutput;
import org.batchq.io.BadInputException;
import org.batchq.io.InvalidSettingException;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** The {@code batchq} command. Exit codes (docs/cli.md): 0 success, 1 runtime failure, 2 usage error. */
@Command(
    name = "batchq",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Batch (offline) reinforcement learning: collect transitions, fit Q-functions, evaluate policies.",
    subcommands = {CollectCommand.class, InfoCommand.class, FitCommand.class, EvaluateCommand.class, OpeCommand.class, RunCommand.class})
public final class Main {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;

  @Option(names = "--verbose", description = "Print stack traces and extra detail.", scope = CommandLine.ScopeType.INHERIT)
  static boolean verbose;

  @Option(names = "--plugin", paramLabel = "JAR", scope = CommandLine.ScopeType.INHERIT,
      description = "A jar of environments of your own, found by ServiceLoader (docs/environments.md); repeatable.")
  static List<Path> plugins;

  /** For other top-level commands' own --verbose option. */
  public static void verbose(boolean on) {
    verbose = on;
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (tests call this in-process). */
  public static int run(String... args) {
    return execute(new Main(), args);
  }

  /**
   * Runs {@code topCommand} (a picocli top-level command: {@code batchq}, or {@code batchq-spark} in the Spark
   * project) with batchq's conventions: one-line errors, exit codes 0/1/2, stack traces only with --verbose.
   */
  public static int execute(Object topCommand, String... args) {
    verbose = false;
    plugins = null;
    CommandLine cli = new CommandLine(topCommand);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setDefaultValueProvider(FitOptions.DEFAULTS);
    cli.setExecutionExceptionHandler(Main::onError);
    cli.setExecutionStrategy(parsed -> {
      // Each command line registers its own plugins (and the classpath's), before any environment is looked up.
      try {
        Environments.usePlugins(plugins == null ? List.of() : plugins);
      } catch (RuntimeException e) {
        List<CommandLine> chain = parsed.asCommandLineList();
        return onError(e, chain.get(chain.size() - 1), parsed);
      }
      return new CommandLine.RunLast().execute(parsed);
    });
    cli.setParameterExceptionHandler((e, a) -> {
      PrintWriter err = e.getCommandLine().getErr();
      String command = e.getCommandLine().getCommandSpec().qualifiedName();
      String hint = e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
          ? "did you mean " + String.join(" or ", u.getSuggestions()) + "? "
          : "";
      err.println(command + ": " + e.getMessage().lines().findFirst().orElse("") + " (" + hint + "see '" + command
          + " --help')");
      return USAGE;
    });
    return cli.execute(args);
  }

  private static int onError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    if (verbose) {
      e.printStackTrace(cmd.getErr());
    }
    int code = e instanceof IllegalArgumentException && !(e instanceof NumberFormatException) ? USAGE : FAILURE;
    // Failures batchq anticipates carry a message written for the user; anything else is a bug or an environment
    // problem, shown with its type and a pointer to --verbose.
    boolean anticipated = e instanceof BadInputException || e instanceof AtomicOutput.OutputExistsException
        || e instanceof IllegalArgumentException || e instanceof UncheckedIOException;
    // One line: engines such as Spark put whole remote stack traces in their messages.
    String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    String message = anticipated ? first : e.getClass().getSimpleName() + ": " + first;
    if (e instanceof InvalidSettingException invalid) {
      message = flags(message, invalid.settings());
    }
    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message
        + (anticipated || verbose ? "" : " (run with --verbose for details)"));
    return code;
  }

  /** Settings whose flag is not "--" and the setting's last name in kebab case. */
  private static final Map<String, String> FLAGS = Map.of(
      "learner.rounds", "--trees", "learner.colsample_by_node", "--colsample", "learner.steps", "--nn-steps");

  /** The flag that sets {@code setting} (a settings path such as {@code learner.max_depth}). */
  static String flag(String setting) {
    String special = FLAGS.get(setting);
    return special != null ? special
        : "--" + setting.substring(setting.lastIndexOf('.') + 1).replace('_', '-');
  }

  /** A settings message in the CLI's words: every setting it names written as the flag that sets it. */
  static String flags(String message, List<String> settings) {
    String out = message;
    for (String s : settings) {
      out = out.replaceAll("(?<![\\w.-])" + Pattern.quote(s) + "(?![\\w-])", Matcher.quoteReplacement(flag(s)));
    }
    return out;
  }

  static final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"batchq " + Version.BATCHQ};
    }
  }
}
