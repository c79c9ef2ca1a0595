package org.batchq.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.batchq.io.Json;
import org.batchq.testing.CommandSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/reproducibility.md: every file batchq writes is a function of its inputs and options alone. The same commands
 * run in separate JVMs, whose hash iteration orders differ ({@code Map.of}, {@code Set.of} are salted per process),
 * must write the same bytes; manifests may differ only in their documented run facts.
 */
class CrossProcessReproducibilityTest {
  @TempDir Path dir;

  static final int MIN_PROCESSES = 3;
  static final int MAX_PROCESSES = 8;

  /** Every command and model kind, with small settings: the bytes are what is compared, not the quality. */
  static List<String> commands(Path d) {
    String data = d.resolve("d.parquet").toString();
    String fit = "fit " + data + " --iterations 3 --seed 3 --out " + d;
    String all = String.join(" ; ",
        "collect --episodes 60 --seed 3 --out " + data,
        "collect --episodes 30 --seed 4 --out " + d.resolve("parts"),
        fit + "/single --algorithm single --trees 8",
        fit + "/multiple --algorithm multiple --trees 8",
        fit + "/averaged --algorithm multiple --average-iterates 2 --trees 8",
        fit + "/warm --algorithm single --warm-start --trees 8",
        fit + "/ensemble --algorithm single --ensemble 2 --trees 8",
        fit + "/started --algorithm single --trees 8 --start-model " + d.resolve("single"),
        fit + "/neural --algorithm neural",
        "collect --policy epsilon-greedy --model " + d.resolve("multiple") + " --epsilon 0.2 --episodes 20 --seed 5"
            + " --out " + d.resolve("greedy.parquet"),
        "run --rounds 2 --episodes 20 --eval-episodes 5 --iterations 3 --trees 8 --seed 3 --name r --dir " + d);
    return List.of(all.split(" "));
  }

  @Test
  void theSameCommandsInSeparateProcessesWriteTheSameBytes() throws Exception {
    List<Path> outputs = new ArrayList<>();
    Set<String> hashOrders = new LinkedHashSet<>();
    // At least three children, and more until two of them iterate hash maps differently (almost always at once):
    // without that, a Map.of written in iteration order could pass by luck.
    while (outputs.size() < MIN_PROCESSES || (hashOrders.size() < 2 && outputs.size() < MAX_PROCESSES)) {
      Path d = dir.resolve("p" + outputs.size());
      Files.createDirectories(d);
      hashOrders.add(runChild(d));
      outputs.add(d);
    }
    assertTrue(hashOrders.size() >= 2, "no two child JVMs differed in hash order: " + hashOrders);

    TreeMap<String, Path> first = files(outputs.get(0));
    assertTrue(first.keySet().containsAll(List.of("d.parquet", "neural/q.safetensors", "runs/r.json",
        "plots/r/episode-length.png")), "outputs: " + first.keySet());
    for (Path other : outputs.subList(1, outputs.size())) {
      TreeMap<String, Path> files = files(other);
      assertEquals(first.keySet(), files.keySet(), "the same files in " + other);
      for (String name : first.keySet()) {
        compare(name, first.get(name), files.get(name));
      }
    }
  }

  /** Runs the command sequence in a fresh JVM and returns that JVM's hash iteration order. */
  String runChild(Path d) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        CommandSequence.class.getName()));
    cmd.addAll(commands(d));
    Path stderr = dir.resolve(d.getFileName() + ".stderr"); // beside the outputs, not among them
    Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child did not finish");
    assertEquals(0, p.exitValue(), "child failed: " + Files.readString(stderr));
    return out.lines().findFirst().orElseThrow();
  }

  static TreeMap<String, Path> files(Path root) throws Exception {
    TreeMap<String, Path> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).forEach(f -> files.put(root.relativize(f).toString(), f));
    }
    return files;
  }

  static void compare(String name, Path a, Path b) throws Exception {
    if (name.endsWith(".json")) {
      assertEquals(withoutRunFacts(name, Json.MAPPER.readTree(a.toFile())),
          withoutRunFacts(name, Json.MAPPER.readTree(b.toFile())), name);
    } else {
      assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), name + " differs between processes");
    }
  }

  /**
   * A manifest without the fields documented as facts of one run (docs/reproducibility.md): a model manifest's
   * {@code run} and each iteration's timings; a run manifest's {@code seconds} and each round's {@code *_seconds}.
   */
  static JsonNode withoutRunFacts(String name, JsonNode json) {
    ObjectNode o = (ObjectNode) json.deepCopy();
    o.remove("run");
    for (JsonNode iteration : o.path("diagnostics")) {
      ((ObjectNode) iteration).remove(List.of("seconds", "learner_seconds"));
    }
    if (name.startsWith("runs/")) {
      o.remove("seconds");
      for (JsonNode round : o.withArray("rounds")) {
        ((ObjectNode) round).remove(List.of("collect_seconds", "fit_seconds", "eval_seconds"));
      }
    }
    return o;
  }
}
