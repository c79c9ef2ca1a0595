package org.batchq.cli;

import java.util.concurrent.Callable;
import org.batchq.data.Dataset;
import org.batchq.data.DatasetSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;
import org.batchq.io.Table;

@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Describe what a dataset holds: files, rows, episodes, lengths, returns, actions, endings, metadata.")
final class InfoCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(names = "--format", defaultValue = "table", description = "table (default) or json.")
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
    t.row("environment", Table.cell(s.envId()));
    t.row("rows", Table.cell(s.rows()));
    t.row("episodes", Table.cell(s.episodes()));
    t.row("episode length mean", Table.cell(s.lengthMean()));
    t.row("episode length min", Table.cell(s.lengthMin()));
    t.row("episode length max", Table.cell(s.lengthMax()));
    t.row("return mean", Table.cell(s.returnMean()));
    t.row("return std", Table.cell(s.returnStd()));
    for (int a = 0; a < s.actionCounts().length; a++) {
      t.row("action " + a, s.actionCounts()[a]);
    }
    t.row("terminated endings", Table.cell(s.terminatedEndings()));
    t.row("truncated endings", Table.cell(s.truncatedEndings()));
    t.row("behaviour policy", String.join("; ", s.behaviorPolicies()));
    t.row("seed", String.join("; ", s.seeds()));
    t.row("schema", Table.cell(s.schema()));
    System.out.print(t.render(format));
    return Main.OK;
  }
}
