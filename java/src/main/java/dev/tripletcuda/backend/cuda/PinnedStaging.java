package dev.tripletcuda.backend.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

/**
 * Page-locked host memory through which every transfer passes, so that copies run
 * asynchronously on the backend's stream at full bus speed.
 *
 * <p>Uploads rotate over a few slots: a slot is refilled only after the copy that last read it
 * has finished (an event per slot), so the host can prepare the next batch while the device
 * still works on the last. A transfer larger than a slot goes in slot-sized chunks. Slots grow
 * on demand up to {@link #CHUNK_BYTES} and are kept.
 */
final class PinnedStaging implements AutoCloseable {

  /** Bytes one slot holds at most: a transfer goes in chunks of this size. */
  static final int CHUNK_BYTES = 4 << 20;

  /** Upload slots in rotation. */
  private static final int UPLOAD_SLOTS = 3;

  /** One pinned host buffer with its typed views and the event of its last copy. */
  static final class Slot {
    Pointer host;
    ByteBuffer bytes;
    FloatBuffer floats;
    IntBuffer ints;
    long capacity;
    CUevent event;
    boolean pending;
  }

  private final CUstream stream;
  private final Slot[] uploads = new Slot[UPLOAD_SLOTS];
  private final Slot download = new Slot();
  private int next;

  PinnedStaging(CUstream stream) {
    this.stream = stream;
    for (int i = 0; i < UPLOAD_SLOTS; i++) {
      uploads[i] = new Slot();
      uploads[i].event = new CUevent();
      cuEventCreate(uploads[i].event, CUevent_flags.CU_EVENT_DISABLE_TIMING);
    }
  }

  /** The next upload slot, its previous copy finished, holding at least {@code bytes}. */
  Slot uploadSlot(long bytes) {
    Slot s = uploads[next];
    next = (next + 1) % UPLOAD_SLOTS;
    if (s.pending) {
      cuEventSynchronize(s.event);
      s.pending = false;
    }
    ensure(s, bytes);
    return s;
  }

  /** Marks the slot as read by the copy just queued on the stream. */
  void queued(Slot s) {
    cuEventRecord(s.event, stream);
    s.pending = true;
  }

  /** The download slot, holding at least {@code bytes}; the caller waits for its copy. */
  Slot downloadSlot(long bytes) {
    ensure(download, bytes);
    return download;
  }

  private static void ensure(Slot s, long bytes) {
    if (s.capacity >= bytes) {
      return;
    }
    long capacity = Math.min(CHUNK_BYTES, Math.max(64 << 10, Long.highestOneBit(bytes) << 1));
    capacity = Math.max(capacity, bytes);
    if (s.host != null) {
      cuMemFreeHost(s.host);
    }
    Pointer host = new Pointer();
    cuMemHostAlloc(host, capacity, 0);
    s.host = host;
    s.bytes = host.getByteBuffer(0, capacity).order(ByteOrder.nativeOrder());
    s.floats = s.bytes.asFloatBuffer();
    s.ints = s.bytes.asIntBuffer();
    s.capacity = capacity;
  }

  @Override
  public void close() {
    for (Slot s : uploads) {
      if (s.pending) {
        cuEventSynchronize(s.event);
      }
      cuEventDestroy(s.event);
      free(s);
    }
    free(download);
  }

  private static void free(Slot s) {
    if (s.host != null) {
      cuMemFreeHost(s.host);
      s.host = null;
      s.capacity = 0;
    }
  }
}
