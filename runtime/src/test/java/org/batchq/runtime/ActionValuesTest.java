package org.batchq.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ActionValuesTest {
  @Test
  void tiesBreakTowardsTheLowestAction() {
    int[] out = new int[3];
    ActionValues.argmax(new float[] {1, 1, 0, 2, 3, 3}, 3, 2, out);
    assertArrayEquals(new int[] {0, 1, 0}, out);
  }

  @Test
  void maxAndItsMeanAreTakenPerRow() {
    float[] q = {1, -4, 2, /* row 1 */ -3, -1, -2};
    assertEquals(2f, ActionValues.max(q, 0, 3));
    assertEquals(-1f, ActionValues.max(q, 1, 3), "negative values: the max is not clamped at 0");
    assertEquals(2, ActionValues.argmax(q, 0, 3));
    assertEquals(1, ActionValues.argmax(q, 1, 3));
    assertEquals(0.5, ActionValues.meanMax(q, 3), 1e-12);
  }
}
