package org.batchq.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** DuckDB through JDBC: the independent reader that checks what batchq writes. */
public final class Duck implements AutoCloseable {
  private final Connection connection;

  public Duck() {
    try {
      connection = DriverManager.getConnection("jdbc:duckdb:");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Rows of a query as lists of JDBC objects. */
  public List<List<Object>> query(String sql) {
    try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      List<List<Object>> rows = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int c = 1; c <= n; c++) {
          Object v = rs.getObject(c);
          row.add(v instanceof java.sql.Array a ? List.of((Object[]) a.getArray()) : v);
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The single value of a one-row, one-column query. */
  public Object scalar(String sql) {
    return query(sql).get(0).get(0);
  }

  public void execute(String sql) {
    try (Statement st = connection.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public static String quote(Path p) {
    return "'" + p.toAbsolutePath().toString().replace("'", "''") + "'";
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
