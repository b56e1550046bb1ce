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

    /*
     * Virtual time: the ticker moves only when the test says so, so a waiter can leave only after the test has
     * moved it past the next departure, and one move of one interval lets exactly the head of the queue leave.
     * The waits in acquire are real (bounded by the head's remaining interval), the order is the queue's own.
     */
    @Test
    void waitersLeaveInArrivalOrder() throws Exception {
        long interval = Duration.ofMillis(50).toNanos();
        ManualTicker ticker = new ManualTicker();
        RateLimiter limiter = RateLimiter.leakyBucketQueue(20, Duration.ofSeconds(1)).queueCapacity(10)
                .ticker(ticker).build();
        assertThat(limiter.tryAcquire()).isTrue();
        List<Integer> departures = new CopyOnWriteArrayList<>();
        Thread[] threads = new Thread[4];
        try {
            for (int i = 0; i < threads.length; i++) {
                int id = i;
                threads[i] = new Thread(() -> {
                    try {
                        limiter.acquire(1, Duration.ofHours(1));
                        departures.add(id);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "waiter-" + i);
                threads[i].start();
                // start the next thread only once this one is queued: with q callers queued the drain time is
                // the interval left to the next departure plus q intervals
                int queued = i + 1;
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1)).until(
                        () -> limiter.tryAcquireWithDecision(1).retryAfterNanos() == (queued + 1) * interval);
            }
            assertThat(limiter.tryAcquire()).as("a caller that does not wait never overtakes the queue").isFalse();
            assertThat(departures).as("nobody leaves while the clock stands still").isEmpty();
            for (int k = 1; k <= threads.length; k++) {
                ticker.advanceNanos(interval); // the next departure is due: the head, and only the head, leaves
                int left = k;
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                        .until(() -> departures.size() >= left);
                assertThat(departures).as("after %d intervals", k).hasSize(k);
                if (k < threads.length) {
                    assertThat(limiter.tryAcquire()).as("the queue is served first").isFalse();
                }
            }
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertThat(departures).containsExactly(0, 1, 2, 3);
        } finally {
            for (Thread t : threads) {
                if (t != null) {
                    t.interrupt();
                }
            }
        }
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
        await().atMost(Duration.ofSeconds(60)).until(() -> limiter.tryAcquireWithDecision(1).retryAfterNanos()
                > Duration.ofMinutes(61).toNanos());
        assertThatThrownBy(() -> limiter.acquire(1, Duration.ofHours(10)))
                .isInstanceOf(RateLimitExceededException.class).hasMessageContaining("queue is full");
        waiter.interrupt();
        waiter.join(60_000);
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
