package org.batchq.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format for float32 tensors: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data. Readable by Python's {@code safetensors},
 * or by hand.
 */
public final class SafeTensors {
  /** A float32 tensor. */
  public record Tensor(int[] shape, float[] values) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private SafeTensors() {}

  /** The tensors in the order {@code tensors} iterates (pass an ordered map); metadata in key order. */
  public static byte[] write(Map<String, Tensor> tensors, Map<String, String> metadata) {
    ObjectNode header = JSON.createObjectNode();
    ObjectNode meta = header.putObject("__metadata__");
    // In key order whatever map the caller passes: the bytes must not depend on a map's iteration order, which
    // for Map.of changes from one JVM to the next.
    new TreeMap<>(metadata).forEach(meta::put);
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", "F32");
      var shape = t.putArray("shape");
      for (int d : e.getValue().shape()) {
        shape.add(d);
      }
      long bytes = (long) e.getValue().values().length * Float.BYTES;
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8; // the data starts 8-byte aligned; the header is padded with spaces
    ByteBuffer out = ByteBuffer.allocate(8 + padded + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded);
    out.put(json);
    for (int i = json.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    for (Tensor t : tensors.values()) {
      for (float v : t.values()) {
        out.putFloat(v);
      }
    }
    return out.array();
  }

  public static Map<String, Tensor> read(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = in.getLong();
    if (headerLength < 2 || headerLength > bytes.length - 8) {
      throw new IllegalArgumentException("not a safetensors file (header length " + headerLength + ")");
    }
    JsonNode header;
    try {
      header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not a safetensors file (" + e.getMessage() + ")");
    }
    int dataStart = 8 + (int) headerLength;
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      JsonNode t = e.getValue();
      if (!"F32".equals(t.path("dtype").asText())) {
        throw new IllegalArgumentException("tensor " + e.getKey() + " is " + t.path("dtype").asText() + ", not F32");
      }
      int[] shape = new int[t.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = t.get("shape").get(i).asInt();
      }
      long begin = t.get("data_offsets").get(0).asLong();
      long end = t.get("data_offsets").get(1).asLong();
      float[] values = new float[(int) ((end - begin) / Float.BYTES)];
      ByteBuffer data = ByteBuffer.wrap(bytes, dataStart + (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
      data.asFloatBuffer().get(values);
      tensors.put(e.getKey(), new Tensor(shape, values));
    }
    return tensors;
  }

}
