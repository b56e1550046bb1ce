package io.dstk.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LeakyBucketQueueTest {

    @Test
    void waitersLeaveInArrivalOrder() throws Exception {
        long interval = Duration.ofMillis(50).toNanos();
        RateLimiter limiter = RateLimiter.leakyBucketQueue(20, Duration.ofSeconds(1)).queueCapacity(10).build();
        assertThat(limiter.tryAcquire()).isTrue();
        List<Integer> departures = new CopyOnWriteArrayList<>();
        Thread[] threads = new Thread[4];
        for (int i = 0; i < threads.length; i++) {
            int id = i;
            threads[i] = new Thread(() -> {
                try {
                    limiter.acquire(1, Duration.ofSeconds(10));
                    departures.add(id);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            threads[i].start();
            // start the next thread only once this one is queued (or gone): with q callers queued the drain
            // time exceeds q intervals, with q - 1 it does not
            int started = i + 1;
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                int departed = departures.size();
                return departed >= started
                        || limiter.tryAcquireWithDecision(1).retryAfterNanos() > (started - departed) * interval;
            });
        }
        if (departures.size() < threads.length) {
            assertThat(limiter.tryAcquire()).as("a caller that does not wait never overtakes the queue").isFalse();
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(departures).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aFullQueueRefusesAtOnce() throws Exception {
        RateLimiter limiter = RateLimiter.leakyBucketQueue(1, Duration.ofHours(1)).queueCapacity(1).build();
        assertThat(limiter.tryAcquire()).isTrue();
        CountDownLatch queued = new CountDownLatch(1);
        AtomicReference<Throwable> waiterOutcome = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            queued.countDown();
            try {
                limiter.acquire(1, Duration.ofHours(2));
            } catch (InterruptedException | RuntimeException e) {
                waiterOutcome.set(e);
            }
        });
        waiter.start();
        queued.await();
        await().atMost(Duration.ofSeconds(5)).until(() -> limiter.tryAcquireWithDecision(1).retryAfterNanos()
                > Duration.ofMinutes(61).toNanos());
        assertThatThrownBy(() -> limiter.acquire(1, Duration.ofHours(10)))
                .isInstanceOf(RateLimitExceededException.class).hasMessageContaining("queue is full");
        waiter.interrupt();
        waiter.join(5_000);
        assertThat(waiterOutcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(limiter.tryAcquireWithDecision(1).retryAfter()).as("the interrupted waiter left the queue")
                .isLessThanOrEqualTo(Duration.ofHours(1));
    }

    @Test
    void aWaiterThatCannotBeServedInTimeIsRefusedWithoutQueueing() {
        RateLimiter limiter = RateLimiter.leakyBucketQueue(1, Duration.ofHours(1)).build();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThatThrownBy(() -> limiter.acquire(1, Duration.ofMinutes(10)))
                .isInstanceOf(RateLimitExceededException.class)
                .satisfies(e -> assertThat(((RateLimitExceededException) e).retryAfter())
                        .isGreaterThan(Duration.ofMinutes(59)));
        assertThat(limiter.tryAcquireWithDecision(1).remaining()).isZero();
    }
}
