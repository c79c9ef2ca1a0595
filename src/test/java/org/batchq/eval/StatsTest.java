package org.batchq.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void summaryMatchesHandComputedValues() {
    // mean 5, sample sd sqrt(32/7) = 2.138, t(7) = 2.364624, half-width = 2.364624 * 2.138 / sqrt(8) = 1.787
    Stats.Summary s = Stats.summarize(new double[] {2, 4, 4, 4, 5, 5, 7, 9});
    assertEquals(5, s.mean(), 1e-12);
    assertEquals(Math.sqrt(32.0 / 7), s.std(), 1e-12);
    assertEquals(2.364624252 * Math.sqrt(32.0 / 7) / Math.sqrt(8), s.ci95(), 1e-9);
    assertEquals(4.5, s.median());
    assertEquals(2, s.min());
    assertEquals(9, s.max());
  }

  @Test
  void pairingRemovesTheSpreadTheTwoPoliciesShare() {
    double[] base = {10, 200, 35, 480, 90, 12, 300, 55};
    double[] better = new double[base.length];
    for (int i = 0; i < base.length; i++) {
      better[i] = base[i] + 3 + (i % 2); // +3 or +4 on every episode
    }
    Stats.Difference d = Stats.paired(better, base);
    assertEquals(3.5, d.mean(), 1e-12);
    assertTrue(d.significant(), "a consistent gain is significant even though returns vary wildly");
    assertFalse(Stats.paired(base, base).significant());
    double[] noisy = {12, 198, 36, 478, 91, 13, 299, 57};
    assertFalse(Stats.paired(noisy, base).significant(), "mixed small differences are not");
  }

  @Test
  void tQuantileApproachesTheNormalOne() {
    assertEquals(12.706204736, Stats.t975(1), 1e-9);
    assertEquals(2.042272456, Stats.t975(30), 1e-9);
    assertEquals(1.983971519, Stats.t975(100), 1e-9);
    assertEquals(1.962339081, Stats.t975(1000), 1e-9);
  }
}
