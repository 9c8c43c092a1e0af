package dev.tripletcuda.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;

/**
 * The argument block of one kernel, built once and rewritten in place for every launch: one
 * 8-byte slot per parameter in a direct buffer, and the array of slot addresses that
 * {@code cuLaunchKernel} reads. A launch then allocates nothing on the Java heap.
 *
 * <p>The signature string gives each parameter's type in order: {@code p} a device pointer,
 * {@code i} an int, {@code l} a long long, {@code f} a float. Writing a slot with another type
 * fails an assertion.
 */
final class KernelArgs {

  private final String signature;
  /** (count * 8) bytes, native order. */
  private final ByteBuffer slots;
  /** void*[count], each element pointing at its slot. */
  private final Pointer params;

  KernelArgs(String signature) {
    for (int i = 0; i < signature.length(); i++) {
      if ("pilf".indexOf(signature.charAt(i)) < 0) {
        throw new IllegalArgumentException("signature '" + signature + "' has '"
            + signature.charAt(i) + "' at " + i + ", expected one of p, i, l, f");
      }
    }
    this.signature = signature;
    this.slots = ByteBuffer.allocateDirect(Math.max(8, 8 * signature.length()))
        .order(ByteOrder.nativeOrder());
    Pointer base = Pointer.to(slots);
    Pointer[] each = new Pointer[signature.length()];
    for (int i = 0; i < each.length; i++) {
      each[i] = base.withByteOffset(8L * i);
    }
    this.params = Pointer.to(each);
  }

  String signature() {
    return signature;
  }

  /** The kernelParams argument of cuLaunchKernel. */
  Pointer params() {
    return params;
  }

  KernelArgs ptr(int slot, long address) {
    assert signature.charAt(slot) == 'p' : signature + " slot " + slot + " is not a pointer";
    slots.putLong(8 * slot, address);
    return this;
  }

  KernelArgs ptr(int slot, DevicePointer pointer) {
    return ptr(slot, pointer.address());
  }

  KernelArgs i32(int slot, int value) {
    assert signature.charAt(slot) == 'i' : signature + " slot " + slot + " is not an int";
    slots.putLong(8 * slot, 0L);
    slots.putInt(8 * slot, value);
    return this;
  }

  KernelArgs i64(int slot, long value) {
    assert signature.charAt(slot) == 'l' : signature + " slot " + slot + " is not a long";
    slots.putLong(8 * slot, value);
    return this;
  }

  KernelArgs f32(int slot, float value) {
    assert signature.charAt(slot) == 'f' : signature + " slot " + slot + " is not a float";
    slots.putLong(8 * slot, 0L);
    slots.putFloat(8 * slot, value);
    return this;
  }

  /** The raw slot bytes, for tests. */
  long rawSlot(int slot) {
    return slots.getLong(8 * slot);
  }
}
