package org.batchq.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds plugin jars inside tests: Java sources compiled against batchq's classes, plus the files given. */
public final class PluginJars {
  /** The example plugin of docs/environments.md, as a user copies it. */
  public static final Path EXAMPLE = Path.of("docs", "examples", "plugin");

  public static final String SERVICES = "META-INF/services/org.batchq.env.EnvironmentProvider";

  private PluginJars() {}

  /** The documented example, built as its build.sh builds it. */
  public static Path example(Path jar) {
    try (Stream<Path> sources = Files.walk(EXAMPLE.resolve("src"))) {
      List<Path> java = sources.filter(p -> p.toString().endsWith(".java")).toList();
      Path services = EXAMPLE.resolve("resources").resolve(SERVICES);
      return build(jar, java, Map.of(SERVICES, Files.readString(services)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compiles {@code sources} into {@code jar}, with {@code files} (jar path to content) beside the classes. */
  public static Path build(Path jar, List<Path> sources, Map<String, String> files) {
    try {
      Path classes = Files.createTempDirectory(jar.getParent(), "classes");
      if (!sources.isEmpty()) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp",
            Path.of("target", "classes") + java.io.File.pathSeparator + System.getProperty("java.class.path")));
        sources.forEach(s -> args.add(s.toString()));
        int code = javac.run(null, null, null, args.toArray(String[]::new));
        if (code != 0) {
          throw new IllegalStateException("javac exited " + code + " for " + sources);
        }
      }
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
          Stream<Path> compiled = Files.walk(classes)) {
        for (Path p : compiled.filter(Files::isRegularFile).sorted().toList()) {
          put(out, classes.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
        }
        for (Map.Entry<String, String> f : files.entrySet()) {
          put(out, f.getKey(), f.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code source} (a class {@code name} of package {@code org.example.test}) under {@code dir}. */
  public static Path source(Path dir, String name, String source) {
    try {
      Path f = dir.resolve("src-" + name).resolve(name + ".java");
      Files.createDirectories(f.getParent());
      Files.writeString(f, source);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
    out.putNextEntry(new JarEntry(name));
    out.write(bytes);
    out.closeEntry();
  }
}
