package io.dstk.membership.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Decides whether a request handler may run on the thread that received the request, which saves a thread hand-off
 * per request, or must be handed to a pool. A handler runs directly only while it is quick: at most one run per
 * handler at a time, at most {@code maxDirect} runs in all, and never again once one of its runs has taken longer
 * than the budget (seen when it ends, or while it still runs). So handlers that block can hold at most
 * {@code maxDirect} receiving threads, each once. Thread-safe.
 */
public final class DirectRunGate {
  /** One handler's state. */
  public static final class Slot {
    private final AtomicLong runningSince = new AtomicLong();
    private volatile boolean slow;

    /** @return whether a run of this handler has taken longer than the budget */
    public boolean slow() {
      return slow;
    }
  }

  private final AtomicInteger running = new AtomicInteger();
  private final int maxDirect;
  private final long budgetNanos;
  private final LongSupplier clock;

  /**
   * @param maxDirect the most handler runs on receiving threads at once, at least 1
   * @param budgetNanos how long a run may take before its handler is handed to the pool for good
   * @param clock nanosecond time source (tests pass a virtual one)
   */
  public DirectRunGate(int maxDirect, long budgetNanos, LongSupplier clock) {
    if (maxDirect < 1 || budgetNanos <= 0) {
      throw new IllegalArgumentException("maxDirect must be >= 1 and budgetNanos > 0: " + maxDirect + ", "
          + budgetNanos);
    }
    this.maxDirect = maxDirect;
    this.budgetNanos = budgetNanos;
    this.clock = clock;
  }

  /**
   * Claims a direct run of the slot's handler.
   *
   * @return the start of the run (pass it to {@link #exit}), or 0 if the handler must go to the pool
   */
  public long tryEnter(Slot slot) {
    if (slot.slow) {
      return 0;
    }
    long now = clock.getAsLong() | 1; // never 0, which means "not running"
    long since = slot.runningSince.get();
    if (since != 0) {
      if (now - since > budgetNanos) {
        slot.slow = true; // still running past its budget
      }
      return 0;
    }
    if (!slot.runningSince.compareAndSet(0, now)) {
      return 0;
    }
    if (running.incrementAndGet() > maxDirect) {
      running.decrementAndGet();
      slot.runningSince.set(0);
      return 0;
    }
    return now;
  }

  /** Ends a direct run that {@link #tryEnter} started at {@code start}. */
  public void exit(Slot slot, long start) {
    if (clock.getAsLong() - start > budgetNanos) {
      slot.slow = true;
    }
    running.decrementAndGet();
    slot.runningSince.set(0);
  }

  /** @return the number of handler runs on receiving threads now (tests) */
  public int running() {
    return running.get();
  }
}
