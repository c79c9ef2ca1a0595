package org.batchq.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunLoopTest {
  static RoundRecord round(int k, double meanLength, double meanReturn) {
    return new RoundRecord(k, "d", "m", 1, 1, 0, 0, 0, meanLength, meanLength, 0, meanLength, meanLength, 0, 0,
        List.of(), List.of(), meanReturn, meanReturn, 0.0, meanReturn, meanReturn, null, null, null, null, null, null, null,
        null, null);
  }

  @Test
  void theBestRoundHasTheHighestReturnNotTheLongestEpisodes() {
    // Reward -1 per step until the goal: the short episodes are the good ones.
    List<RoundRecord> rounds = List.of(round(0, 200, -200), round(1, 110, -110), round(2, 150, -150));
    assertEquals(1, RunLoop.best(rounds).round());
  }

  @Test
  void tiesGoToTheLaterRound() {
    assertEquals(2, RunLoop.best(List.of(round(0, 10, 5), round(1, 500, 9), round(2, 20, 9))).round());
  }

  @Test
  void roundsRecordedBeforeReturnsReadTheirLengthsAsReturns() {
    RoundRecord old = new RoundRecord(0, "d", "m", 1, 1, 0, 0, 0, 21.5, 180, 12, 90, 250, 0, 0, List.of(), List.of(),
        null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    assertEquals(180, old.evalMeanReturn());
    assertEquals(21.5, old.behaviorMeanReturn());
    assertEquals(90, old.evalMinReturn());
    assertEquals(250, old.evalMaxReturn());
    assertEquals(12, old.evalStdReturn());
  }
}
