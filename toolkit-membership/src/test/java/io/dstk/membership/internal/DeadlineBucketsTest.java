package io.dstk.membership.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlineBucketsTest {
  /** Records what is scheduled; runs it only when told. */
  static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
    final List<Runnable> tasks = new CopyOnWriteArrayList<>();
    final List<Long> delays = new CopyOnWriteArrayList<>();

    RecordingScheduler() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      if (isShutdown()) {
        throw new RejectedExecutionException("shut down");
      }
      tasks.add(command);
      delays.add(unit.toNanos(delay));
      return super.schedule(() -> { }, 1, TimeUnit.DAYS);
    }
  }

  private final RecordingScheduler scheduler = new RecordingScheduler();

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
  }

  @Test
  void deadlinesOfOneBucketShareOneTaskThatRunsAtTheBucketsEnd() {
    List<Long> ends = new CopyOnWriteArrayList<>();
    DeadlineBuckets buckets = new DeadlineBuckets(scheduler, 10, ends::add);

    buckets.ensure(101, 100);
    buckets.ensure(105, 100);
    buckets.ensure(109, 102);
    buckets.ensure(110, 103);

    assertThat(scheduler.tasks).hasSize(2);
    assertThat(scheduler.delays).containsExactly(10L, 17L); // ends 110 and 120, each at or after its deadlines
    scheduler.tasks.forEach(Runnable::run);
    assertThat(ends).containsExactly(110L, 120L);

    buckets.ensure(105, 100); // a bucket whose task has run is scheduled again
    assertThat(scheduler.tasks).hasSize(3);
  }

  @Test
  void aPastDeadlineRunsAtOnceAndAClosedSchedulerIsReported() {
    DeadlineBuckets buckets = new DeadlineBuckets(scheduler, 10, end -> { });
    buckets.ensure(5, 100);
    assertThat(scheduler.delays).containsExactly(0L);

    scheduler.shutdown();
    assertThatThrownBy(() -> buckets.ensure(500, 100)).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> new DeadlineBuckets(scheduler, 0, end -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("widthNanos");
  }
}
