package org.batchq.env;

import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.batchq.io.BadInputException;
import org.batchq.io.Hashing;

/**
 * The registry of simulators by id: the built-in ones (adding one means one line here, docs/architecture.md) and
 * those of plugins, found by {@link ServiceLoader} on the classpath and in the jars given to {@link #usePlugins}.
 */
public final class Environments {
  /**
   * A registered environment.
   *
   * @param plugin where a plugin's environment came from; null for a built-in one
   * @param source the plugin's jar or directory, named in its failures; null for a built-in one
   */
  private record Entry(EnvSpec spec, IntFunction<VectorEnv> factory, Plugin plugin, Path source) {}

  private static final List<Entry> BUILT_IN = List.of(
      new Entry(CartPole.SPEC, CartPole::new, null, null),
      new Entry(CartPole.V0, size -> new CartPole(CartPole.V0, size), null, null),
      new Entry(MountainCar.SPEC, MountainCar::new, null, null),
      new Entry(Acrobot.SPEC, Acrobot::new, null, null));

  /** What commands simulate when neither an option, a dataset nor a model names an environment. */
  public static final String DEFAULT = "CartPole-v1";

  private static final String SERVICE_FILE = "META-INF/services/" + EnvironmentProvider.class.getName();

  /** The plugins' environments: the classpath's until {@link #usePlugins} is called; read once, then replaced whole. */
  private static volatile List<Entry> plugins;

  private Environments() {}

  /**
   * Registers the environments of the classpath's plugins and of {@code jars}, replacing those registered before
   * (each command line names its own). A jar that is missing, holds no environment or cannot be loaded, and an id
   * that two sources provide, are errors naming the jar.
   */
  public static synchronized void usePlugins(List<Path> jars) {
    List<Entry> found = new ArrayList<>(fromClasspath());
    for (Path jar : jars) {
      found.addAll(fromJar(jar));
    }
    for (int i = 0; i < found.size(); i++) {
      Entry e = found.get(i);
      String id = e.spec().id();
      Entry clash = Stream.concat(BUILT_IN.stream(), found.subList(0, i).stream())
          .filter(o -> o.spec().id().equals(id)).findFirst().orElse(null);
      if (clash != null) {
        throw new BadInputException(e.source(), "provides environment '" + id + "', which "
            + (clash.plugin() == null ? "is built into batchq" : clash.source() + " provides too")
            + ": give each environment an id of its own");
      }
    }
    plugins = List.copyOf(found);
  }

  /** Every environment's id, the built-in ones first. */
  public static List<String> ids() {
    return all().map(e -> e.spec().id()).toList();
  }

  public static EnvSpec spec(String id) {
    return entry(id, null).spec();
  }

  /**
   * The spec of an environment that a dataset, model or run recorded as coming from {@code recorded} (null: built
   * in): when it is not registered, the message names the plugin to load.
   */
  public static EnvSpec spec(String id, Plugin recorded) {
    return entry(id, recorded).spec();
  }

  /**
   * Where a registered environment came from: its plugin, or null when it is built in (or when {@code id} is null:
   * a log without a simulator).
   */
  public static Plugin plugin(String id) {
    return id == null ? null : entry(id, null).plugin();
  }

  /** A vector of {@code size} environments of the given id. A plugin's failures name the plugin. */
  public static VectorEnv make(String id, int size) {
    Entry e = entry(id, null);
    if (e.plugin() == null) {
      return e.factory().apply(size);
    }
    VectorEnv env = guarded(e.source(), "creating " + size + " environments", () -> e.factory().apply(size));
    return new PluginEnv(env, e.source());
  }

  private static Stream<Entry> all() {
    List<Entry> p = plugins;
    if (p == null) {
      synchronized (Environments.class) {
        if (plugins == null) {
          plugins = List.copyOf(fromClasspath());
        }
        p = plugins;
      }
    }
    return Stream.concat(BUILT_IN.stream(), p.stream());
  }

  private static Entry entry(String id, Plugin recorded) {
    return all().filter(e -> e.spec().id().equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(
        recorded != null
            ? "environment '" + id + "' comes from the plugin " + recorded.describe() + ", which is not loaded: pass"
                + " --plugin PATH/TO/" + recorded.jar()
            : "unknown environment '" + id + "' (known: " + String.join(", ", ids()) + "; an environment of your own"
                + " comes from --plugin JAR, docs/environments.md)"));
  }

  private static List<Entry> fromClasspath() {
    ClassLoader loader = Environments.class.getClassLoader();
    List<Entry> found = new ArrayList<>();
    for (ServiceLoader.Provider<EnvironmentProvider> p : providers(ServiceLoader.load(EnvironmentProvider.class,
        loader), null)) {
      Path source = codeSource(p.type());
      found.add(entry(p, new Plugin(source.getFileName().toString(), Files.isRegularFile(source)
          ? Hashing.sha256(source) : null), source));
    }
    return found;
  }

  private static List<Entry> fromJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new BadInputException(jar, "no such plugin jar");
    }
    URLClassLoader loader;
    try {
      // Left open: the plugin's classes are used for as long as the process runs.
      loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, Environments.class.getClassLoader());
    } catch (MalformedURLException e) {
      throw new BadInputException(jar, "not a usable plugin path (" + e.getMessage() + ")");
    }
    if (loader.findResource(SERVICE_FILE) == null) {
      throw new BadInputException(jar, "holds no batchq environment: a plugin jar lists its classes in " + SERVICE_FILE
          + " (docs/environments.md)");
    }
    Plugin plugin = new Plugin(jar.getFileName().toString(), Hashing.sha256(jar));
    List<Entry> found = new ArrayList<>();
    for (ServiceLoader.Provider<EnvironmentProvider> p : providers(ServiceLoader.load(EnvironmentProvider.class,
        loader), jar)) {
      if (p.type().getClassLoader() == loader) { // the parent's (classpath) providers are registered already
        found.add(entry(p, plugin, jar));
      }
    }
    if (found.isEmpty()) {
      throw new BadInputException(jar, "holds no batchq environment: " + SERVICE_FILE + " names no class of this jar");
    }
    return found;
  }

  private static List<ServiceLoader.Provider<EnvironmentProvider>> providers(ServiceLoader<EnvironmentProvider> loader,
      Path jar) {
    try {
      return loader.stream().toList();
    } catch (ServiceConfigurationError e) {
      throw new BadInputException(jar != null ? jar.toString() : "a plugin on the classpath", "cannot load its"
          + " environment (" + e.getMessage() + ")");
    }
  }

  private static Entry entry(ServiceLoader.Provider<EnvironmentProvider> p, Plugin plugin, Path source) {
    EnvironmentProvider provider = guarded(source, "creating " + p.type().getName(), p::get);
    EnvSpec spec = guarded(source, "spec()", provider::spec);
    if (spec == null || spec.id() == null || spec.observationSize() < 1 || spec.actionCount() < 1
        || spec.maxEpisodeSteps() < 1) {
      throw new BadInputException(source, p.type().getName() + ".spec() gave " + spec + ": an environment needs an id,"
          + " at least one observation value and one action, and a step limit of at least 1");
    }
    return new Entry(spec, provider::vector, plugin, source);
  }

  private static Path codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of(type.getName());
    }
  }

  /** Runs plugin code; whatever it throws becomes one line naming the plugin. */
  static <T> T guarded(Path source, String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (BadInputException e) {
      throw e;
    } catch (RuntimeException | ServiceConfigurationError | LinkageError e) {
      throw new BadInputException(source, "the plugin failed in " + what + ": " + e);
    }
  }
}
