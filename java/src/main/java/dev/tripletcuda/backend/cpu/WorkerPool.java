package dev.tripletcuda.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed set of worker threads that run the parts of one task together with the calling
 * thread. No allocation per call: callers pass a reusable {@link Part} and the pool hands out
 * part numbers through a counter, so the split of work never depends on timing and each part
 * computes the same numbers whichever thread runs it.
 *
 * <p>The counter holds the generation (one per call) in its high 32 bits and the next part in
 * its low 32 bits, and parts are claimed by compare-and-set: a worker that wakes late for an
 * earlier call can neither run nor swallow a part of the current one.
 *
 * <p>A worker that has finished its parts spins for {@link #SPIN_NANOS} before it sleeps on the
 * lock: a training step or a search issues its parallel tasks back to back, and waking a sleeping
 * thread costs tens of microseconds, as long as a small task itself.
 */
final class WorkerPool implements AutoCloseable {

  /** One piece of a parallel task. */
  @FunctionalInterface
  interface Part {
    void run(int part);
  }

  /** How long an idle worker watches for the next task before it sleeps. */
  static final long SPIN_NANOS = 200_000;

  private final int threads;
  private final Thread[] workers;
  private final Object lock = new Object();
  private final AtomicLong next = new AtomicLong();
  private final AtomicInteger done = new AtomicInteger();
  private Part task;
  private int parts;
  private volatile Throwable failure;
  private long generation;
  /** The generation, readable without the lock, for spinning workers. */
  private volatile long published;
  private volatile boolean closed;

  WorkerPool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads=" + threads + ", expected >= 1");
    }
    this.threads = threads;
    this.workers = new Thread[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      Thread t = new Thread(this::workerLoop, "tripletcuda-cpu-" + (i + 1));
      t.setDaemon(true);
      workers[i] = t;
      t.start();
    }
  }

  /** Threads that run parts, the caller included. */
  int threads() {
    return threads;
  }

  /**
   * Runs parts 0 .. count-1 of {@code part} and returns when all are done. An exception thrown
   * by a part is rethrown here after the others finish.
   */
  void run(int count, Part part) {
    if (count <= 0) {
      return;
    }
    if (threads == 1 || count == 1) {
      for (int i = 0; i < count; i++) {
        part.run(i);
      }
      return;
    }
    synchronized (this) {
      failure = null;
      done.set(0);
      long gen;
      synchronized (lock) {
        task = part;
        parts = count;
        gen = ++generation & 0xFFFFFFFFL;
        next.set(gen << 32);
        published = generation;
        lock.notifyAll();
      }
      work(gen, part, count);
      while (done.get() < count) {
        Thread.onSpinWait();
      }
      Throwable t = failure;
      if (t != null) {
        if (t instanceof RuntimeException) {
          throw (RuntimeException) t;
        }
        if (t instanceof Error) {
          throw (Error) t;
        }
        throw new IllegalStateException(t);
      }
    }
  }

  private void work(long gen, Part part, int count) {
    while (true) {
      long v = next.get();
      int i = (int) v;
      if ((v >>> 32) != gen || i >= count) {
        return;
      }
      if (!next.compareAndSet(v, v + 1)) {
        continue;
      }
      try {
        part.run(i);
      } catch (Throwable t) {
        failure = t;
      } finally {
        done.incrementAndGet();
      }
    }
  }

  private void workerLoop() {
    long seen = 0;
    while (true) {
      Part part;
      int count;
      // Watch for the next task a little while before sleeping on the lock.
      for (long t0 = System.nanoTime(); published == seen && !closed
          && System.nanoTime() - t0 < SPIN_NANOS; ) {
        Thread.onSpinWait();
      }
      synchronized (lock) {
        while (generation == seen && !closed) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        seen = generation;
        part = task;
        count = parts;
      }
      work(seen & 0xFFFFFFFFL, part, count);
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
  }
}
