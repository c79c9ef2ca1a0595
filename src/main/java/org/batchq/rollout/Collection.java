package org.batchq.rollout;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import org.batchq.Version;
import org.batchq.data.DatasetMetadata;
import org.batchq.data.DatasetSchema;
import org.batchq.data.DatasetWriter;
import org.batchq.data.Episode;
import org.batchq.env.EnvSpec;
import org.batchq.env.Environments;
import org.batchq.policy.Policy;

/** Rolls out a plan under a policy straight into a Parquet dataset: what {@code collect} and {@code run} do. */
public final class Collection {
  /**
   * The published dataset, its size, and each episode's length and return (sum of rewards) in episode order (fewer
   * episodes under a step budget).
   */
  public record Result(Path path, long rows, int[] lengths, double[] returns) {
    public double meanLength() {
      return java.util.Arrays.stream(lengths).average().orElse(Double.NaN);
    }

    public double meanReturn() {
      return java.util.Arrays.stream(returns).average().orElse(Double.NaN);
    }
  }

  private Collection() {}

  public static Result write(Rollout.Plan plan, Policy policy, Path out, boolean force, Consumer<Episode> onEpisode) {
    EnvSpec spec = Environments.spec(plan.envId());
    DatasetMetadata meta = new DatasetMetadata(DatasetSchema.FORMAT_VERSION, spec.id(), spec.observationSize(),
        spec.actionCount(), policy.describe(), plan.seed(), Version.BATCHQ, Environments.plugin(spec.id()));
    IntStream.Builder lengths = IntStream.builder();
    DoubleStream.Builder returns = DoubleStream.builder();
    try (DatasetWriter writer = DatasetWriter.open(out, meta, force)) {
      Rollout.run(plan, policy, e -> {
        writer.write(e);
        lengths.add(e.length()); // episodes arrive in id order
        returns.add(e.totalReward());
        onEpisode.accept(e);
      });
      Path written = writer.commit();
      return new Result(written, writer.rows(), lengths.build().toArray(), returns.build().toArray());
    }
  }
}
