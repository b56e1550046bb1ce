package io.dstk.cache;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Whether this member holds the cluster's state and may serve reads; waitable. Thread-safe. */
final class Readiness {
  volatile boolean ready;
  private volatile CountDownLatch latch = new CountDownLatch(1);

  synchronized void set(boolean r) {
    if (r && !ready) {
      ready = true;
      latch.countDown();
    } else if (!r && ready) {
      ready = false;
      latch = new CountDownLatch(1);
    }
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
