package io.dstk.membership.internal;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Timeouts for many short operations without a timer task each. Deadlines are grouped in buckets of a fixed width;
 * the first deadline of a bucket schedules one task at the bucket's end, which calls {@code onBucketEnd} with that
 * end so the owner fails whatever it holds with a deadline at or before it. A steady stream of operations schedules
 * one task per bucket and cancels nothing, where a task per operation (scheduled, then cancelled on success) wakes the
 * scheduler's thread on every operation. An operation thus fails between its deadline and one bucket width later.
 *
 * <p>Thread-safe. Times are nanoseconds of the owner's ticker; the scheduler runs the tasks.
 */
public final class DeadlineBuckets {
  private final ScheduledExecutorService scheduler;
  private final long widthNanos;
  private final LongConsumer onBucketEnd;
  private final Set<Long> scheduled = ConcurrentHashMap.newKeySet();

  /**
   * Creates the buckets.
   *
   * @param scheduler runs one task per bucket
   * @param widthNanos bucket width, positive
   * @param onBucketEnd called with the bucket's end (ticker nanos) when its task runs
   */
  public DeadlineBuckets(ScheduledExecutorService scheduler, long widthNanos, LongConsumer onBucketEnd) {
    if (widthNanos <= 0) {
      throw new IllegalArgumentException("widthNanos must be positive: " + widthNanos);
    }
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.widthNanos = widthNanos;
    this.onBucketEnd = Objects.requireNonNull(onBucketEnd, "onBucketEnd");
  }

  /**
   * Makes sure a task runs at or after {@code deadline}.
   *
   * @param deadline the deadline (ticker nanos)
   * @param now the ticker now
   * @throws RejectedExecutionException if the scheduler is shut down
   */
  public void ensure(long deadline, long now) {
    long bucket = Math.floorDiv(deadline, widthNanos) + 1;
    if (scheduled.add(bucket)) {
      long end = bucket * widthNanos;
      try {
        scheduler.schedule(() -> {
          scheduled.remove(bucket);
          onBucketEnd.accept(end);
        }, Math.max(0, end - now), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        scheduled.remove(bucket);
        throw e;
      }
    }
  }
}
