package org.batchq.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md: packages follow the data's path, and no package depends on one above it. A layer is a
 * package with its subpackages ({@code learner} holds {@code learner.xgboost} and {@code learner.neural}).
 */
class LayeringTest {
  /** Lowest first. */
  static final List<String> LAYERS = List.of(
      "runtime", "io", "env", "data", "learner", "fqi", "model", "policy", "rollout", "eval", "ope", "loop", "cli");

  static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("org.batchq");

  @Test
  void noLayerDependsOnALayerAboveIt() {
    for (int i = 0; i < LAYERS.size() - 1; i++) {
      String[] above = LAYERS.subList(i + 1, LAYERS.size()).stream().map(l -> "org.batchq." + l + "..")
          .toArray(String[]::new);
      noClasses().that().resideInAPackage("org.batchq." + LAYERS.get(i) + "..")
          .should().dependOnClassesThat().resideInAnyPackage(above)
          .because("'" + LAYERS.get(i) + "' is below them (docs/architecture.md)")
          .check(MAIN);
    }
  }

  @Test
  void everyPackageIsALayer() {
    String[] known = java.util.stream.Stream.concat(LAYERS.stream().map(l -> "org.batchq." + l + ".."),
        java.util.stream.Stream.of("org.batchq")).toArray(String[]::new);
    classes().that().resideInAPackage("org.batchq..").should().resideInAnyPackage(known)
        .because("a new package takes its place among the layers (docs/architecture.md); org.batchq itself holds"
            + " only the version")
        .check(MAIN);
  }
}
