package org.batchq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.batchq.fqi.RewardTransform;
import org.batchq.io.BadInputException;
import org.batchq.io.Json;
import org.batchq.learner.LearnerSettings;
import org.batchq.learner.Learners;
import org.batchq.learner.neural.NeuralSettings;
import org.batchq.learner.xgboost.ClassifierSettings;
import org.batchq.learner.xgboost.XgboostSettings;
import org.batchq.model.Training;
import org.batchq.runtime.TreeForm;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The FQI and learner options shared by {@code fit} and {@code run} (docs/fit.md), mapped onto {@link
 * Training.Config}. The settings records hold the defaults and the checks; an option only says which setting it
 * sets. A configuration starts from the records' defaults, or from {@code --config FILE}, and every flag given on
 * the command line is laid over it. A flag of a learner that was not chosen is refused.
 */
public final class FitOptions {
  /** The command these options are mixed into, for which options were given. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = "--algorithm", order = 1,
      description = "single (one booster on obs + one-hot action, the default), multiple (one booster per action) or"
          + " neural (a multi-head MLP); fit also takes bc (behaviour cloning: an action classifier).")
  String algorithm;

  @Option(names = "--config", paramLabel = "FILE", order = 2,
      description = "Start from the settings in FILE: a model's manifest.json, a run manifest (runs/NAME.json) or a"
          + " settings object (docs/fit.md); flags given beside it win.")
  Path config;

  @ArgGroup(validate = false, heading = "%nFQI:%n", order = 10)
  FqiOptions fqi = new FqiOptions();

  @ArgGroup(validate = false, heading = "%nXGBoost (--algorithm single or multiple):%n", order = 20)
  TreeOptions trees = new TreeOptions();

  @ArgGroup(validate = false, heading = "%nNeural network (--algorithm neural):%n", order = 30)
  NeuralOptions neural = new NeuralOptions();

  static final class FqiOptions {
    @Option(names = "--iterations", description = "FQI iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--gamma", description = "Discount factor in [0, 1) (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--validation-fraction",
        description = "Share of episodes held out for the Bellman residual; 0 disables (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--reward",
        description = "Reward transform: none or failure (0 per step, -1 on termination) (default: ${DEFAULT-VALUE}).")
    RewardTransform reward;

    @Option(names = "--ensemble",
        description = "Fits averaged into the model, each holding out its own episodes (bagging); member m is the fit"
            + " with seed + m (default: ${DEFAULT-VALUE}).")
    int ensemble;

    @Option(names = "--clip-targets",
        description = "Keep FQI targets within [min(0, r_min), max(0, r_max)] / (1 - gamma), where every return lies.")
    boolean clipTargets;

    @Option(names = "--average-iterates", paramLabel = "M",
        description = "Bootstrap each FQI target from, and save, the mean of the last M iterates (trees only;"
            + " default: 1, plain FQI; run --algorithm multiple: 5).")
    int averageIterates;

    @Option(names = "--advantage-learning", paramLabel = "ALPHA",
        description = "Advantage learning: lower each target by ALPHA times its action's gap to the best action,"
            + " in [0, 1); it keeps the greedy policy and widens the gaps the trees' error must cross"
            + " (docs/fit.md; default: ${DEFAULT-VALUE}, plain FQI; run --algorithm single: 0.5).")
    double advantageLearning;
  }

  static final class TreeOptions {
    @Option(names = "--trees",
        description = "Boosting rounds (trees) per booster per FQI iteration (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--max-depth", description = "Tree depth (default: ${DEFAULT-VALUE}).")
    int maxDepth;

    @Option(names = "--eta", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double eta;

    @Option(names = "--min-child-weight", description = "Minimum hessian per leaf (default: ${DEFAULT-VALUE}).")
    double minChildWeight;

    @Option(names = "--subsample", description = "Row subsampling per tree (default: ${DEFAULT-VALUE}).")
    double subsample;

    @Option(names = "--colsample", description = "Feature subsampling per split (default: ${DEFAULT-VALUE}).")
    double colsample;

    @Option(names = "--parallel-trees",
        description = "Trees per round; > 1 with subsampling trains random forests (default: ${DEFAULT-VALUE}).")
    int parallelTrees;

    @Option(names = "--max-bin", description = "Histogram bins per feature (default: ${DEFAULT-VALUE}).")
    int maxBin;

    @Option(names = "--warm-start", description = "Continue each iteration's boosters from the previous iteration's.")
    boolean warmStart;

    @Option(names = "--threads", description = "XGBoost threads (default: all cores). Results do not depend on it.")
    int threads;
  }

  static final class NeuralOptions {
    @Option(names = "--hidden", split = ",", description = "Trunk layer widths (default: ${DEFAULT-VALUE}).")
    List<Integer> hidden;

    @Option(names = "--nn-steps", description = "Gradient steps per FQI iteration (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", description = "Minibatch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--learning-rate", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--nn-continue",
        description = "Continue each FQI iteration from the previous network (DQN-style) instead of re-initialising"
            + " it (NFQ, the default).")
    boolean nnContinue;
  }

  /** Each FQI flag and the setting (path in the configuration's JSON form) it sets. */
  private static final Map<String, String> FQI = Map.of(
      "--iterations", "iterations", "--gamma", "gamma", "--validation-fraction", "validation_fraction",
      "--reward", "reward", "--ensemble", "ensemble", "--clip-targets", "clip_targets",
      "--average-iterates", "average_iterates", "--advantage-learning", "advantage_learning");

  /** Each XGBoost flag and the learner setting it sets. */
  private static final Map<String, String> TREES = Map.of(
      "--trees", "rounds", "--max-depth", "max_depth", "--eta", "eta", "--min-child-weight", "min_child_weight",
      "--subsample", "subsample", "--colsample", "colsample_by_node", "--parallel-trees", "parallel_trees",
      "--max-bin", "max_bin", "--warm-start", "warm_start", "--threads", "threads");

  /** Each neural flag and the learner setting it sets ({@code --nn-continue} is the negation of restart). */
  private static final Map<String, String> NEURAL = Map.of(
      "--hidden", "hidden", "--nn-steps", "steps", "--batch-size", "batch_size", "--learning-rate", "learning_rate",
      "--nn-continue", "restart");

  /** A command whose defaults for some of these flags differ from fit's (FQE's, for {@code ope}). */
  interface OwnDefaults {
    /** The command's default for {@code flag}, or null where fit's applies. */
    String defaultOf(String flag);
  }

  /**
   * The defaults that help texts show, read from the settings records (never written twice): each FQI and learner
   * flag's setting in {@code Config.defaults}, {@code XgboostSettings.defaults} or {@code
   * NeuralSettings.defaults}. Which flags were given is read from the parse result, so defaults applied
   * to the fields here are never mistaken for choices.
   */
  public static final IDefaultValueProvider DEFAULTS = new IDefaultValueProvider() {
    private final JsonNode fqi = Json.MAPPER.valueToTree(Training.Config.defaults(
        XgboostSettings.defaults(TreeForm.SINGLE, 0)));
    private final JsonNode trees = fqi.get("learner");
    private final JsonNode neural = Json.MAPPER.valueToTree(NeuralSettings.defaults(0));

    @Override
    public String defaultValue(ArgSpec arg) {
      if (!(arg instanceof OptionSpec o) || o.type() == boolean.class || o.longestName().equals("--threads")) {
        return null;
      }
      String flag = o.longestName();
      String own = arg.command().userObject() instanceof OwnDefaults d ? d.defaultOf(flag) : null;
      if (own != null) {
        return own;
      }
      JsonNode value = FQI.containsKey(flag) ? fqi.get(FQI.get(flag))
          : TREES.containsKey(flag) ? trees.get(TREES.get(flag))
          : NEURAL.containsKey(flag) ? neural.get(NEURAL.get(flag)) : null;
      if (value == null) {
        return null;
      }
      if (value.isArray()) {
        List<String> items = new java.util.ArrayList<>();
        value.forEach(v -> items.add(v.asText()));
        return String.join(",", items);
      }
      return value.isTextual() ? value.asText().toLowerCase() : value.asText();
    }
  };

  /** The tree flags behaviour cloning takes: it fits one classifier, so FQI's and the other learners' are refused. */
  private static final List<String> CLASSIFIER_FLAGS = List.of("--trees", "--max-depth", "--eta", "--min-child-weight",
      "--threads");

  /** Whether {@code --algorithm bc} was chosen. */
  public boolean behaviorCloning() {
    return Learners.BEHAVIOR_CLONING.equals(algorithm);
  }

  /** The classifier's settings for {@code --algorithm bc}; any FQI or other learner flag is refused in one line. */
  public ClassifierSettings classifier(long seed) {
    for (OptionSpec o : command.commandLine().getParseResult().matchedOptions()) {
      String flag = o.longestName();
      if (FQI.containsKey(flag) || NEURAL.containsKey(flag) || TREES.containsKey(flag) && !CLASSIFIER_FLAGS.contains(flag)
          || flag.equals("--config")) {
        throw new IllegalArgumentException(flag + " is not an option of --algorithm bc (behaviour cloning fits one"
            + " classifier, no FQI: it takes " + String.join(", ", CLASSIFIER_FLAGS) + ")");
      }
    }
    ClassifierSettings d = ClassifierSettings.defaults(seed);
    return new ClassifierSettings(given("--trees") ? trees.rounds : d.rounds(),
        given("--max-depth") ? trees.maxDepth : d.maxDepth(), given("--eta") ? trees.eta : d.eta(),
        given("--min-child-weight") ? trees.minChildWeight : d.minChildWeight(),
        given("--threads") ? trees.threads : d.threads(), seed);
  }

  /** Whether --threads was given (engines that choose their own parallelism refuse it). */
  public boolean threadsGiven() {
    return given("--threads");
  }

  /** The training configuration these options describe; usage errors are IllegalArgumentExceptions. */
  public Training.Config config(long seed) {
    return config(seed, chosen -> Map.of());
  }

  /**
   * The same, where a command's own defaults for the chosen algorithm ({@code ownDefaults}: setting name to value,
   * e.g. run's {@code average_iterates} for multiple) apply to each setting that neither a flag nor --config sets.
   * {@code seed} is the command's --seed: it wins when given; otherwise the --config file's seed, else it.
   */
  public Training.Config config(long seed, Function<String, Map<String, Object>> ownDefaults) {
    JsonNode file = config == null ? null : read(config);
    String chosen = algorithm != null ? algorithm
        : file != null ? algorithmOf(file.get("learner")) : "single";
    boolean neuralChosen = "neural".equals(chosen);
    refuseOtherLearner(neuralChosen ? TREES : NEURAL, chosen);
    long learnerSeed = given("--seed") || file == null ? seed : file.get("learner").get("seed").asLong();
    LearnerSettings learnerDefaults = Learners.defaults(chosen, learnerSeed);

    ObjectNode tree = file != null ? file.deepCopy()
        : Json.MAPPER.valueToTree(Training.Config.defaults(learnerDefaults));
    ObjectNode learner = (ObjectNode) tree.get("learner");
    if (!chosen.equals(algorithmOf(learner))) { // another learner than the file's: its defaults
      learner = Json.MAPPER.valueToTree(learnerDefaults);
      tree.set("learner", learner);
    }
    learner.put("seed", learnerSeed);
    if (!learner.has("threads") && !neuralChosen) { // a run fact, not in a model's settings: this machine's
      learner.put("threads", Runtime.getRuntime().availableProcessors());
    }
    ownDefaults.apply(chosen).forEach((setting, value) -> {
      if (file == null || !file.has(setting)) {
        tree.set(setting, Json.MAPPER.valueToTree(value));
      }
    });
    overlay(tree, FQI);
    overlay(learner, neuralChosen ? NEURAL : TREES);
    if (given("--nn-continue")) {
      learner.put("restart", !neural.nnContinue);
    }
    try {
      return Json.MAPPER.treeToValue(tree, Training.Config.class);
    } catch (IOException e) {
      // The records' own checks (InvalidSettingException) arrive wrapped by Jackson.
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof IllegalArgumentException invalid) {
          throw invalid;
        }
      }
      throw new BadInputException(config != null ? config.toString() : "settings", "not a valid configuration ("
          + e.getMessage().lines().findFirst().orElse("") + ")");
    }
  }

  /** The settings of FILE: a model manifest's {@code settings}, a run manifest's {@code settings.training}, or FILE. */
  private static JsonNode read(Path file) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new BadInputException(file, "not readable as JSON (" + e.getMessage().lines().findFirst().orElse("")
          + ")");
    }
    JsonNode settings = root.has("format") && root.path("format").asText().equals("batchq-run")
        ? root.path("settings").path("training")
        : root.has("format") ? root.path("settings") : root;
    if (!settings.isObject() || !settings.path("learner").isObject()) {
      throw new BadInputException(file, root.has("format") ? "records no settings (it was written before batchq"
          + " recorded them; pass the options instead)" : "is not a settings object (docs/fit.md)");
    }
    return settings;
  }

  private static String algorithmOf(JsonNode learner) {
    return "neural".equals(learner.path("kind").asText()) ? "neural"
        : learner.path("form").asText().toLowerCase();
  }

  /** Refuses, in one line, the first flag given (in command-line order) of the learner that was not chosen. */
  private void refuseOtherLearner(Map<String, String> other, String chosen) {
    for (OptionSpec o : command.commandLine().getParseResult().matchedOptions()) {
      if (other.containsKey(o.longestName())) {
        throw new IllegalArgumentException(o.longestName() + " is an option of " + (other == NEURAL
            ? "--algorithm neural" : "the tree algorithms (single, multiple)") + ", not of " + chosen);
      }
    }
  }

  /** Sets, in {@code node}, the setting of every flag of {@code flags} that was given, to the flag's value. */
  private void overlay(ObjectNode node, Map<String, String> flags) {
    flags.forEach((flag, setting) -> {
      if (given(flag) && !flag.equals("--nn-continue")) {
        node.set(setting, Json.MAPPER.valueToTree(option(flag).getValue()));
      }
    });
  }

  /** Refuses, in one line, the first of {@code flags} that was given: they mean nothing to {@code command}. */
  void refuse(List<String> flags, String commandName) {
    for (OptionSpec o : command.commandLine().getParseResult().matchedOptions()) {
      if (flags.contains(o.longestName())) {
        throw new IllegalArgumentException(o.longestName() + " is not an option of " + commandName);
      }
    }
  }

  boolean given(String flag) {
    ParseResult parsed = command.commandLine().getParseResult();
    return parsed != null && parsed.hasMatchedOption(flag);
  }

  private OptionSpec option(String flag) {
    return command.commandLine().getParseResult().matchedOption(flag);
  }
}
