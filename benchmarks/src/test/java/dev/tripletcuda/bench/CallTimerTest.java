package dev.tripletcuda.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallTimerTest {

  @Test
  void timeRunsWarmUpThenEverySample() {
    AtomicInteger calls = new AtomicInteger();
    CallTimer.Timing t = CallTimer.time(calls::incrementAndGet, 0, 3, 0);
    // Two warm-up calls at least, then three samples of one call each.
    assertEquals(1, t.callsPerSample());
    assertEquals(3, t.samples());
    assertEquals(5, calls.get());
    assertTrue(t.minMs() <= t.medianMs() && t.medianMs() <= t.maxMs(), t.toString());
  }

  @Test
  void timeRejectsNoSamples() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CallTimer.time(() -> { }, 0, 0, 0));
    assertTrue(e.getMessage().contains("samples=0"), e.getMessage());
  }
}
