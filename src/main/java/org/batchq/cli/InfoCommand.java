package org.batchq.cli;

import java.util.concurrent.Callable;
import org.batchq.data.Dataset;
import org.batchq.data.DatasetSummary;
import org.batchq.env.Environments;
import org.batchq.env.Plugin;
import org.batchq.io.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Describe what a dataset holds: files, rows, episodes, lengths and returns (quantiles), actions,"
        + " endings, behaviour probabilities, observation ranges, metadata.")
final class InfoCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(names = "--format", defaultValue = "table", description = "table (default), csv or json.")
  Table.Format format;

  @Override
  public Integer call() {
    Dataset dataset = data.open();
    DatasetSummary s = DatasetSummary.of(dataset);
    if (format == Table.Format.JSON) {
      System.out.print(s.toJson());
      return Main.OK;
    }
    Table t = new Table("property", "value");
    t.row("files", s.files().size());
    s.files().forEach(f -> t.row("  file", f));
    Plugin plugin = Environments.plugin(s.envId());
    t.row("environment", s.envId() == null ? "none: a log without a simulator"
        : s.envId() + (plugin == null ? "" : " (plugin " + plugin.describe() + ")"));
    t.row("rows", Table.cell(s.rows()));
    t.row("episodes", Table.cell(s.episodes()));
    t.row("episode length mean", Table.cell(s.lengthMean()));
    t.row("episode length min", Table.cell(s.lengthMin()));
    t.row("episode length max", Table.cell(s.lengthMax()));
    quantiles(t, "episode length", s.lengths());
    t.row("return mean", Table.cell(s.returnMean()));
    t.row("return std", Table.cell(s.returnStd()));
    quantiles(t, "return", s.returns());
    for (int a = 0; a < s.actionCounts().length; a++) {
      t.row("action " + a, s.actionCounts()[a] + String.format(java.util.Locale.ROOT, " (%.1f%%)",
          100 * s.actionShares()[a]));
    }
    t.row("terminated endings", Table.cell(s.terminatedEndings()));
    t.row("truncated endings", Table.cell(s.truncatedEndings()));
    t.row("behaviour probabilities", s.behaviorProbRange() == null ? "absent"
        : "present, " + Table.cell(s.behaviorProbRange()[0]) + " to " + Table.cell(s.behaviorProbRange()[1]));
    for (int k = 0; k < s.observationMin().length; k++) {
      t.row("observation " + k + " range", Table.cell(s.observationMin()[k]) + " to "
          + Table.cell(s.observationMax()[k]));
    }
    t.row("behaviour policy", String.join("; ", s.behaviorPolicies()));
    t.row("seed", String.join("; ", s.seeds()));
    t.row("schema", Table.cell(s.schema()));
    System.out.print(t.render(format));
    return Main.OK;
  }

  private static void quantiles(Table t, String what, DatasetSummary.Quantiles q) {
    t.row(what + " p5 / median / p95", Table.cell(q.p5()) + " / " + Table.cell(q.median()) + " / "
        + Table.cell(q.p95()));
  }
}
