package io.dstk.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Many threads on one limiter: admissions never exceed what the limit allows. */
class ConcurrencyTest {
    private static final int THREADS = 8;

    static Stream<Arguments> limiters() {
        return RateLimiterTest.tenPerSecond();
    }

    /** Runs {@code task} on THREADS threads started together; returns the sum of what they return. */
    private static long hammer(Function<Integer, Long> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    return task.apply(id);
                }));
            }
            start.countDown();
            long sum = 0;
            for (Future<Long> f : results) {
                sum += f.get(30, TimeUnit.SECONDS);
            }
            return sum;
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("limiters")
    void threadsOnAFrozenClockGetExactlyTheLimit(String name, Function<Ticker, RateLimiterBuilder> builder)
            throws Exception {
        RateLimiter limiter = builder.apply(new ManualTicker()).build();
        long allowed = hammer(id -> {
            long n = 0;
            for (int i = 0; i < 20_000; i++) {
                n += limiter.tryAcquire(1 + (i + id) % 2) ? 1 + (i + id) % 2 : 0;
            }
            return n;
        });
        if (name.equals("leakyBucketQueue")) {
            assertThat(allowed).as("one departure, of 1 or 2 permits").isBetween(1L, 2L);
        } else {
            assertThat(allowed).as("the limit, less at most one left over by a 2-permit request").isBetween(9L, 10L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("limiters")
    void threadsOnAMovingClockStayWithinTheDefinition(String name, Function<Ticker, RateLimiterBuilder> builder)
            throws Exception {
        // virtual time moves forward 1 ms with every call from any thread: 10 per second means 1 per 100 calls
        AtomicLong clock = new AtomicLong(0);
        Ticker ticker = () -> clock.addAndGet(1_000_000);
        RateLimiter limiter = builder.apply(ticker).build();
        long allowed = hammer(id -> {
            long n = 0;
            for (int i = 0; i < 5_000; i++) {
                n += limiter.tryAcquire() ? 1 : 0;
            }
            return n;
        });
        double seconds = clock.get() / 1e9;
        // burst of 10, plus 10 per second; fixed windows may add one window's worth at a boundary
        assertThat((double) allowed).isLessThanOrEqualTo(10 + 10 * seconds + 10).isGreaterThan(seconds * 5);
    }

    @Test
    void blockingAcquireRespectsTheRateAcrossThreads() throws Exception {
        for (RateLimiterBuilder b : new RateLimiterBuilder[] {
                RateLimiter.gcra(100, Duration.ofSeconds(1)).burst(1),
                RateLimiter.leakyBucketQueue(100, Duration.ofSeconds(1)).queueCapacity(THREADS * 5)}) {
            RateLimiter limiter = b.build();
            AtomicInteger done = new AtomicInteger();
            long start = System.nanoTime();
            hammer(id -> {
                for (int i = 0; i < 5; i++) {
                    try {
                        limiter.acquire(1, Duration.ofSeconds(10));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    done.incrementAndGet();
                }
                return 0L;
            });
            long elapsed = System.nanoTime() - start;
            assertThat(done).hasValue(THREADS * 5);
            // 40 permits at 100 per second, the first one free: at least 39 intervals of 10 ms
            assertThat(elapsed).as(b.toString()).isGreaterThanOrEqualTo(Duration.ofMillis(390).toNanos());
        }
    }
}
