package org.batchq.data;

import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FLOAT;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;

/**
 * The dataset format, in one place for the writer, the reader and the docs (docs/dataset-format.md, checked by
 * DatasetFormatDocTest): one row per transition, in episode order.
 */
public final class DatasetSchema {
  /** Bumped on any incompatible change; readers refuse newer versions. */
  public static final int FORMAT_VERSION = 1;

  public static final String EPISODE_ID = "episode_id";
  public static final String STEP = "step";
  public static final String OBS = "obs";
  public static final String ACTION = "action";
  public static final String REWARD = "reward";
  public static final String NEXT_OBS = "next_obs";
  public static final String TERMINATED = "terminated";
  public static final String TRUNCATED = "truncated";
  public static final String BEHAVIOR_PROB = "behavior_prob";

  /** Column names in file order. */
  public static final List<String> COLUMNS =
      List.of(EPISODE_ID, STEP, OBS, ACTION, REWARD, NEXT_OBS, TERMINATED, TRUNCATED, BEHAVIOR_PROB);

  private DatasetSchema() {}

  /** The Parquet schema; lists use the standard three-level LIST encoding that every reader understands. */
  public static MessageType parquet() {
    return Types.buildMessage()
        .required(INT64).named(EPISODE_ID)
        .required(INT32).named(STEP)
        .addField(Types.requiredList().requiredElement(FLOAT).named(OBS))
        .required(INT32).named(ACTION)
        .required(FLOAT).named(REWARD)
        .addField(Types.requiredList().requiredElement(FLOAT).named(NEXT_OBS))
        .required(BOOLEAN).named(TERMINATED)
        .required(BOOLEAN).named(TRUNCATED)
        .required(FLOAT).named(BEHAVIOR_PROB)
        .named("transition");
  }

  /** The same columns as an Arrow schema: the in-memory form of a batch of transitions. */
  public static Schema arrow() {
    ArrowType f32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    return new Schema(List.of(
        Field.notNullable(EPISODE_ID, new ArrowType.Int(64, true)),
        Field.notNullable(STEP, new ArrowType.Int(32, true)),
        floatList(OBS),
        Field.notNullable(ACTION, new ArrowType.Int(32, true)),
        Field.notNullable(REWARD, f32),
        floatList(NEXT_OBS),
        Field.notNullable(TERMINATED, ArrowType.Bool.INSTANCE),
        Field.notNullable(TRUNCATED, ArrowType.Bool.INSTANCE),
        Field.notNullable(BEHAVIOR_PROB, f32)));
  }

  private static Field floatList(String name) {
    Field element = Field.notNullable("element", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    return new Field(name, FieldType.notNullable(ArrowType.List.INSTANCE), List.of(element));
  }
}
