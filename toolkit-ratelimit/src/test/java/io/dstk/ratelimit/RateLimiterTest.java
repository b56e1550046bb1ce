package io.dstk.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RateLimiterTest {

    /** Every algorithm configured as "10 per second", so one behaviour can be checked on all of them. */
    static Stream<Arguments> tenPerSecond() {
        return Stream.of(
                Arguments.of("tokenBucket greedy", f(t -> RateLimiter.tokenBucket(10, 10, Duration.ofSeconds(1)).ticker(t))),
                Arguments.of("tokenBucket intervally",
                        f(t -> RateLimiter.tokenBucket(10, 10, Duration.ofSeconds(1)).refillIntervally().ticker(t))),
                Arguments.of("gcra", f(t -> RateLimiter.gcra(10, Duration.ofSeconds(1)).ticker(t))),
                Arguments.of("leakyBucketQueue",
                        f(t -> RateLimiter.leakyBucketQueue(10, Duration.ofSeconds(1)).ticker(t))),
                Arguments.of("fixedWindow", f(t -> RateLimiter.fixedWindow(10, Duration.ofSeconds(1)).ticker(t))),
                Arguments.of("slidingWindowLog",
                        f(t -> RateLimiter.slidingWindowLog(10, Duration.ofSeconds(1)).ticker(t))),
                Arguments.of("slidingWindowCounter",
                        f(t -> RateLimiter.slidingWindowCounter(10, Duration.ofSeconds(1)).ticker(t))));
    }

    private static Function<Ticker, RateLimiterBuilder> f(Function<Ticker, RateLimiterBuilder> f) {
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tenPerSecond")
    void neverAllowsMoreThanTheLimitAtOneInstant(String name, Function<Ticker, RateLimiterBuilder> builder) {
        ManualTicker ticker = new ManualTicker();
        RateLimiter limiter = builder.apply(ticker).build();
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (limiter.tryAcquire()) {
                allowed++;
            }
        }
        assertThat(allowed).isBetween(1, 10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tenPerSecond")
    void deniedRequestPassesAfterItsRetryAfter(String name, Function<Ticker, RateLimiterBuilder> builder) {
        ManualTicker ticker = new ManualTicker();
        RateLimiter limiter = builder.apply(ticker).build();
        while (limiter.tryAcquire()) {
            // drain
        }
        for (int permits : new int[] {1, 3, 10}) {
            RateLimitDecision denied = limiter.tryAcquireWithDecision(permits);
            assertThat(denied.allowed()).isFalse();
            assertThat(denied.retryAfterNanos()).isPositive();
            if (denied.retryAfterNanos() > 1) {
                ticker.advanceNanos(denied.retryAfterNanos() - 1);
                assertThat(limiter.tryAcquire(permits)).as("one nanosecond early").isFalse();
                ticker.advanceNanos(1);
            } else {
                ticker.advanceNanos(denied.retryAfterNanos());
            }
            assertThat(limiter.tryAcquireWithDecision(permits).allowed()).as("%d permits on time", permits).isTrue();
            ticker.advance(Duration.ofSeconds(5));
            while (limiter.tryAcquire()) {
                // drain again
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tenPerSecond")
    void decisionReportsLimitRemainingAndReset(String name, Function<Ticker, RateLimiterBuilder> builder) {
        ManualTicker ticker = new ManualTicker();
        RateLimiter limiter = builder.apply(ticker).build();
        RateLimitDecision first = limiter.tryAcquireWithDecision(1);
        assertThat(first.allowed()).isTrue();
        assertThat(first.limit()).isEqualTo(10);
        assertThat(first.retryAfterNanos()).isZero();
        assertThat(first.resetAfterNanos()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(first.remaining()).isBetween(0L, 9L);
        ticker.advance(Duration.ofSeconds(10));
        RateLimitDecision later = limiter.tryAcquireWithDecision(1);
        assertThat(later.allowed()).isTrue();
        assertThat(later.remaining()).isEqualTo(first.remaining());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tenPerSecond")
    void badPermitsAreRejectedWithTheirValue(String name, Function<Ticker, RateLimiterBuilder> builder) {
        RateLimiter limiter = builder.apply(new ManualTicker()).build();
        assertThatThrownBy(() -> limiter.tryAcquire(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permits must be positive, was 0");
        assertThatThrownBy(() -> limiter.tryAcquire(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -1");
        assertThatThrownBy(() -> limiter.tryAcquireWithDecision(11)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permits 11 exceed the limit 10");
        assertThatThrownBy(() -> limiter.acquire(0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter.acquire(1, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout must not be negative");
        assertThatThrownBy(() -> limiter.acquire(1, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("timeout");
        assertThat(limiter.tryAcquire()).as("state untouched by bad input").isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tenPerSecond")
    void acquireThrowsAtOnceWhenTheWaitExceedsTheTimeout(String name, Function<Ticker, RateLimiterBuilder> builder) {
        ManualTicker ticker = new ManualTicker();
        RateLimiter limiter = builder.apply(ticker).build();
        while (limiter.tryAcquire()) {
            // drain
        }
        assertThatThrownBy(() -> limiter.acquire(10, Duration.ofMillis(1)))
                .isInstanceOf(RateLimitExceededException.class)
                .satisfies(e -> assertThat(((RateLimitExceededException) e).retryAfter()).isPositive());
    }

    @Test
    void acquireWaitsForThePermitOnTheRealClock() throws InterruptedException {
        for (RateLimiterBuilder b : new RateLimiterBuilder[] {
                RateLimiter.tokenBucket(1, 1, Duration.ofMillis(20)),
                RateLimiter.gcra(1, Duration.ofMillis(20)),
                RateLimiter.tokenBucket(1, 1, Duration.ofMillis(20)).refillIntervally(),
                RateLimiter.leakyBucketQueue(1, Duration.ofMillis(20)),
                RateLimiter.fixedWindow(1, Duration.ofMillis(20)),
                RateLimiter.slidingWindowLog(1, Duration.ofMillis(20)),
                RateLimiter.slidingWindowCounter(1, Duration.ofMillis(20))}) {
            // Read before the limiter exists: every algorithm admits a second permit of 1 per 20 ms no earlier than
            // 20 ms after its first (or its window's start), so however late this thread runs, acquire cannot
            // return before then. Reading the clock after the first permit instead would make the wait depend on
            // this thread being scheduled on time.
            long before = System.nanoTime();
            RateLimiter limiter = b.build();
            assertThat(limiter.tryAcquire()).isTrue();
            limiter.acquire(1, Duration.ofSeconds(60));
            assertThat(System.nanoTime() - before).as(b.toString())
                    .isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
        }
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> RateLimiter.tokenBucket(0, 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("capacity must be positive, was 0");
        assertThatThrownBy(() -> RateLimiter.tokenBucket(1, -5, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("refillTokens must be positive, was -5");
        assertThatThrownBy(() -> RateLimiter.gcra(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("period must be positive, was PT0S");
        assertThatThrownBy(() -> RateLimiter.fixedWindow(1, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window must be positive");
        assertThatThrownBy(() -> RateLimiter.slidingWindowLog(1, null))
                .isInstanceOf(NullPointerException.class).hasMessage("window");
        assertThatThrownBy(() -> RateLimiter.slidingWindowCounter(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("limit must be positive, was 0");
        assertThatThrownBy(() -> RateLimiter.slidingWindowLog(RateLimiterBuilder.MAX_LOG_LIMIT + 1L, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 1048576");
        assertThatThrownBy(() -> RateLimiter.gcra(2, Duration.ofNanos(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds one per nanosecond");
        assertThatThrownBy(() -> RateLimiter.gcra(1, Duration.ofSeconds(1)).burst(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("burst must be positive, was 0");
        assertThatThrownBy(() -> RateLimiter.gcra(1, Duration.ofSeconds(1)).refillIntervally())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("refillIntervally applies only to tokenBucket, not to gcra");
        assertThatThrownBy(() -> RateLimiter.fixedWindow(1, Duration.ofSeconds(1)).ticker(null))
                .isInstanceOf(NullPointerException.class).hasMessage("ticker");
        assertThatThrownBy(() -> RateLimiter.gcra(1_000, Duration.ofDays(1)).burst(Long.MAX_VALUE / 2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overflows");
    }

    @Test
    void zeroLengthWindowsAndPeriodsAreRejectedForEveryAlgorithm() {
        assertThatThrownBy(() -> RateLimiter.tokenBucket(1, 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("refillPeriod must be positive, was PT0S");
        assertThatThrownBy(() -> RateLimiter.leakyBucketQueue(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("period must be positive, was PT0S");
        assertThatThrownBy(() -> RateLimiter.fixedWindow(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("window must be positive, was PT0S");
        assertThatThrownBy(() -> RateLimiter.slidingWindowLog(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("window must be positive, was PT0S");
        assertThatThrownBy(() -> RateLimiter.slidingWindowCounter(1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("window must be positive, was PT0S");
        assertThatThrownBy(() -> RateLimiter.leakyBucketQueue(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("permits must be positive, was 0");
        assertThatThrownBy(() -> RateLimiter.leakyBucketQueue(1, Duration.ofSeconds(1)).queueCapacity(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("queueCapacity must be positive, was -1");
        assertThatThrownBy(() -> RateLimiter.fixedWindow(1L + Integer.MAX_VALUE, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit must be at most");
    }

    @Test
    void decisionAfterAReservationBeyondTheBurstReportsTheWholeWait() throws InterruptedException {
        ManualTicker ticker = new ManualTicker();
        RateLimiter limiter = RateLimiter.gcra(50, Duration.ofSeconds(1)).burst(1).ticker(ticker).build();
        assertThat(limiter.tryAcquire()).isTrue();
        limiter.acquire(1, Duration.ofSeconds(1)); // reserves the next slot, 20 ms ahead, and waits for real
        RateLimitDecision decision = limiter.tryAcquireWithDecision(1);
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.remaining()).isZero();
        assertThat(decision.retryAfter()).isEqualTo(Duration.ofMillis(40));
    }

    @Test
    void gcraWithBurstOnePacesEveryPermit() {
        ManualTicker ticker = new ManualTicker();
        RateLimiter limiter = RateLimiter.gcra(10, Duration.ofSeconds(1)).burst(1).ticker(ticker).build();
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        ticker.advance(Duration.ofMillis(99));
        assertThat(limiter.tryAcquire()).isFalse();
        ticker.advance(Duration.ofMillis(1));
        assertThat(limiter.tryAcquire()).isTrue();
    }

    @Test
    void intervalRefillAddsAllTokensAtThePeriodBoundary() {
        ManualTicker ticker = new ManualTicker();
        RateLimiter limiter = RateLimiter.tokenBucket(10, 5, Duration.ofSeconds(1)).refillIntervally()
                .ticker(ticker).build();
        assertThat(limiter.tryAcquire(10)).isTrue();
        ticker.advance(Duration.ofMillis(999));
        assertThat(limiter.tryAcquire()).isFalse();
        ticker.advance(Duration.ofMillis(1));
        assertThat(limiter.tryAcquireWithDecision(5).remaining()).isZero();
        ticker.advance(Duration.ofSeconds(10));
        assertThat(limiter.tryAcquireWithDecision(1).remaining()).as("refill capped at capacity").isEqualTo(9);
    }

    @Test
    void fixedWindowResetsAtTheBoundaryAndAllowsTwiceTheLimitAcrossIt() {
        ManualTicker ticker = new ManualTicker();
        RateLimiter limiter = RateLimiter.fixedWindow(5, Duration.ofSeconds(1)).ticker(ticker).build();
        ticker.advance(Duration.ofMillis(999));
        assertThat(limiter.tryAcquire(5)).isTrue();
        RateLimitDecision denied = limiter.tryAcquireWithDecision(1);
        assertThat(denied.retryAfter()).isEqualTo(Duration.ofMillis(1));
        ticker.advance(Duration.ofMillis(1));
        assertThat(limiter.tryAcquire(5)).isTrue();
    }

    @Test
    void fixedWindowLimiterCreatedNearTheWindowCounterWrapStillResetsEachWindow() {
        ManualTicker ticker = new ManualTicker(0);
        RateLimiterBuilder builder = RateLimiter.fixedWindow(5, Duration.ofNanos(1)).ticker(ticker);
        builder.build(); // fixes the windows' origin
        ticker.advanceNanos((1L << 32) - 3);
        RateLimiter late = builder.build();
        assertThat(late.tryAcquire(5)).isTrue();
        assertThat(late.tryAcquire()).isFalse();
        ticker.advanceNanos(1);
        assertThat(late.tryAcquire(5)).as("next window").isTrue();
    }

    @Test
    void statsCountDecisionsOnlyWhenRequested() {
        ManualTicker ticker = new ManualTicker();
        RateLimiter plain = RateLimiter.gcra(1, Duration.ofSeconds(1)).ticker(ticker).build();
        plain.tryAcquire();
        assertThat(plain.stats()).isEqualTo(RateLimiterStats.EMPTY);
        RateLimiter counted = RateLimiter.gcra(1, Duration.ofSeconds(1)).ticker(ticker).recordStats().build();
        counted.tryAcquire();
        counted.tryAcquire();
        counted.tryAcquireWithDecision(1);
        assertThat(counted.stats()).isEqualTo(new RateLimiterStats(1, 2));
    }

    @Test
    void decisionHeadersRoundUpToWholeSeconds() {
        RateLimitDecision d = new RateLimitDecision(false, 10, 0, 1_000_000_001L, 2_000_000_000L);
        assertThat(d.retryAfterSeconds()).isEqualTo(2);
        assertThat(d.resetAfterSeconds()).isEqualTo(2);
        assertThatThrownBy(() -> new RateLimitDecision(true, 1, 0, 5, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringShowsTheConfiguration() {
        assertThat(RateLimiter.tokenBucket(10, 5, Duration.ofSeconds(1)).build().toString())
                .isEqualTo("tokenBucket{capacity=10, refill=5 per PT1S greedy}");
        assertThat(RateLimiter.gcra(10, Duration.ofSeconds(1)).burst(3).recordStats().toString())
                .isEqualTo("gcra{rate=10 per PT1S, burst=3, recordStats}");
    }
}
