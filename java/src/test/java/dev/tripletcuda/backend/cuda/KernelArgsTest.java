package dev.tripletcuda.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The argument block: one 8-byte slot per parameter, values written in place. */
class KernelArgsTest {

  @Test
  void valuesLandInTheirSlots() {
    KernelArgs args = new KernelArgs("pilf");
    args.ptr(0, 0x1234_5678_9abcL).i32(1, -7).i64(2, 1L << 40).f32(3, 1.5f);
    assertEquals(0x1234_5678_9abcL, args.rawSlot(0));
    assertEquals(-7, (int) args.rawSlot(1));
    assertEquals(1L << 40, args.rawSlot(2));
    assertEquals(Float.floatToRawIntBits(1.5f), (int) args.rawSlot(3));
    // Rewriting a slot leaves no stale high bits.
    args.i32(1, 3);
    assertEquals(3L, args.rawSlot(1));
  }

  @Test
  void writingASlotWithTheWrongTypeFailsAnAssertion() {
    KernelArgs args = new KernelArgs("pi");
    assertThrows(AssertionError.class, () -> args.f32(1, 1f));
    assertThrows(AssertionError.class, () -> args.i32(0, 1));
  }

  @Test
  void aSignatureWithAnUnknownTypeIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new KernelArgs("pid"));
    assertTrue(e.getMessage().contains("'d' at 2"), e.getMessage());
  }
}
