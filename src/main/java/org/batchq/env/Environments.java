package org.batchq.env;

import java.util.List;
import java.util.function.IntFunction;

/** The registry of simulators by Gymnasium id: adding one means one line here (docs/architecture.md). */
public final class Environments {
  private record Entry(EnvSpec spec, IntFunction<VectorEnv> factory) {}

  private static final List<Entry> ALL = List.of(
      new Entry(CartPole.SPEC, CartPole::new),
      new Entry(CartPole.V0, size -> new CartPole(CartPole.V0, size)),
      new Entry(MountainCar.SPEC, MountainCar::new),
      new Entry(Acrobot.SPEC, Acrobot::new));

  /** What commands simulate when neither an option, a dataset nor a model names an environment. */
  public static final String DEFAULT = "CartPole-v1";

  private Environments() {}

  public static List<String> ids() {
    return ALL.stream().map(e -> e.spec().id()).toList();
  }

  public static EnvSpec spec(String id) {
    return entry(id).spec();
  }

  /** A vector of {@code size} environments of the given id. */
  public static VectorEnv make(String id, int size) {
    return entry(id).factory().apply(size);
  }

  private static Entry entry(String id) {
    return ALL.stream()
        .filter(e -> e.spec().id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown environment '" + id + "' (known: " + ids() + ")"));
  }
}
