package org.batchq.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Results as an aligned text table, CSV or JSON (an array of objects keyed by column). */
public final class Table {
  public enum Format { TABLE, CSV, JSON }

  private static final CsvMapper CSV = new CsvMapper();

  private final List<String> columns;
  private final List<List<Object>> rows = new ArrayList<>();

  public Table(String... columns) {
    this.columns = List.of(columns);
  }

  public Table row(Object... values) {
    if (values.length != columns.size()) {
      throw new IllegalArgumentException("row has " + values.length + " values for " + columns.size() + " columns");
    }
    rows.add(java.util.Arrays.asList(values));
    return this;
  }

  public String render(Format format) {
    return switch (format) {
      case TABLE -> text();
      case CSV -> csv();
      case JSON -> json();
    };
  }

  private String text() {
    int[] width = new int[columns.size()];
    for (int c = 0; c < width.length; c++) {
      width[c] = columns.get(c).length();
      for (List<Object> r : rows) {
        width[c] = Math.max(width[c], cell(r.get(c)).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, columns.stream().map(x -> (Object) x).toList(), width, false);
    for (int c = 0; c < width.length; c++) {
      sb.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
    }
    sb.append('\n');
    rows.forEach(r -> line(sb, r, width, true));
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<Object> values, int[] width, boolean alignNumbers) {
    for (int c = 0; c < width.length; c++) {
      Object v = values.get(c);
      String s = cell(v);
      boolean right = alignNumbers && v instanceof Number;
      String pad = " ".repeat(width[c] - s.length());
      sb.append(c == 0 ? "" : "  ").append(right ? pad + s : s + (c == width.length - 1 ? "" : pad));
    }
    sb.append('\n');
  }

  /** RFC 4180 CSV with a header line; numbers in full precision, missing values empty. */
  private String csv() {
    CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
    columns.forEach(c -> schema.addColumn(c, CsvSchema.ColumnType.NUMBER_OR_STRING));
    try {
      return CSV.writer(schema.build()).writeValueAsString(rows);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private String json() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<Object> r : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int c = 0; c < columns.size(); c++) {
        m.put(columns.get(c), r.get(c));
      }
      out.add(m);
    }
    return Json.write(out);
  }

  /** Numbers in tables: integers as they are, others with 4 significant decimals at most. */
  public static String cell(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d)) {
        return "-";
      }
      return Math.abs(d) >= 1000 ? String.format("%.1f", d) : String.format("%.4g", d);
    }
    return v.toString();
  }
}
