package io.dstk.cache;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Whether this member holds the cluster's state and may serve reads; waitable. Thread-safe. */
final class Readiness {
  volatile boolean ready;
  private volatile CountDownLatch latch = new CountDownLatch(1);
  private final BooleanSupplier mayBecomeReady;

  /** @param mayBecomeReady whether the current view may make this member ready (e.g. it has quorum) */
  Readiness(BooleanSupplier mayBecomeReady) {
    this.mayBecomeReady = mayBecomeReady;
  }

  /** Sets readiness; becoming ready takes effect only while {@code mayBecomeReady} holds. Returns the new state. */
  synchronized boolean set(boolean r) {
    if (r && !ready && mayBecomeReady.getAsBoolean()) {
      ready = true;
      latch.countDown();
    } else if (!r && ready) {
      ready = false;
      latch = new CountDownLatch(1);
    }
    return ready;
  }

  boolean await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      CountDownLatch l = latch;
      if (ready) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || !l.await(left, TimeUnit.NANOSECONDS)) {
        return ready;
      }
    }
  }
}
