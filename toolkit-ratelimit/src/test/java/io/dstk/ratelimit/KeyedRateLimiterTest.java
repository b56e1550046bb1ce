package io.dstk.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {

    @Test
    void eachKeyHasItsOwnLimit() {
        ManualTicker ticker = new ManualTicker(0);
        KeyedRateLimiter<String> limiter = KeyedRateLimiter
                .builder(RateLimiter.tokenBucket(2, 1, Duration.ofSeconds(1)).ticker(ticker)).build();
        assertThat(limiter.tryAcquire("alice", 2)).isTrue();
        assertThat(limiter.tryAcquire("alice")).isFalse();
        assertThat(limiter.tryAcquire("bob")).isTrue();
        RateLimitDecision denied = limiter.tryAcquireWithDecision("alice", 1);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        ticker.advance(Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire("alice")).isTrue();
        assertThat(limiter.estimatedKeyCount()).isEqualTo(2);
    }

    @Test
    void nullKeyAndBadPermitsAreRejected() {
        KeyedRateLimiter<String> limiter = KeyedRateLimiter
                .builder(RateLimiter.fixedWindow(5, Duration.ofSeconds(1))).build();
        assertThatThrownBy(() -> limiter.tryAcquire(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> limiter.tryAcquire(null, 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> limiter.tryAcquireWithDecision(null, 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> limiter.acquire(null, 1, Duration.ZERO)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> limiter.stats(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> limiter.tryAcquire("k", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permits must be positive, was 0");
        assertThatThrownBy(() -> limiter.tryAcquire("k", 6)).isInstanceOf(IllegalArgumentException.class);
        assertThat(limiter.tryAcquire("k", 5)).as("rejected calls left no usage behind").isTrue();
    }

    @Test
    void idleKeysAreForgottenOnlyOnceTheyAreFullAgain() {
        ManualTicker ticker = new ManualTicker(0);
        KeyedRateLimiter<Integer> limiter = KeyedRateLimiter
                .builder(RateLimiter.gcra(10, Duration.ofSeconds(1)).ticker(ticker)).build();
        for (int i = 0; i < 100; i++) {
            limiter.tryAcquire(i, 10);
        }
        assertThat(limiter.estimatedKeyCount()).isEqualTo(100);
        ticker.advance(Duration.ofMillis(50));
        assertThat(limiter.tryAcquire(7)).as("still remembers key 7 used its burst").isFalse();
        // full again after 1 s; kept 1 s longer because Caffeine records accesses with a 1 s tolerance
        ticker.advance(Duration.ofMillis(1949));
        assertThat(limiter.estimatedKeyCount()).isEqualTo(100);
        ticker.advance(Duration.ofMillis(51));
        assertThat(limiter.estimatedKeyCount()).isZero();
        assertThat(limiter.tryAcquire(8, 10)).as("a forgotten key starts full").isTrue();
    }

    @Test
    void keyUsedAgainWithinCaffeinesAccessToleranceIsNotForgottenEarly() {
        ManualTicker ticker = new ManualTicker(0);
        KeyedRateLimiter<String> limiter = KeyedRateLimiter
                .builder(RateLimiter.gcra(10, Duration.ofSeconds(1)).ticker(ticker)).build();
        assertThat(limiter.tryAcquire("k", 10)).isTrue();
        ticker.advance(Duration.ofMillis(900));
        assertThat(limiter.tryAcquire("k", 9)).isTrue(); // Caffeine does not record this access (< 1 s later)
        ticker.advance(Duration.ofMillis(150));
        assertThat(limiter.tryAcquire("k", 2)).as("1.5 tokens refilled since, not a fresh bucket").isFalse();
        assertThat(limiter.tryAcquire("k", 1)).isTrue();
    }

    @Test
    void memoryIsBoundedByMaximumKeys() {
        KeyedRateLimiter<Integer> limiter = KeyedRateLimiter
                .builder(RateLimiter.gcra(10, Duration.ofSeconds(1))).maximumKeys(1_000).build();
        for (int i = 0; i < 20_000; i++) {
            limiter.tryAcquire(i);
        }
        assertThat(limiter.estimatedKeyCount()).isLessThanOrEqualTo(1_000);
    }

    @Test
    void expiryShorterThanTheRefillIsRejected() {
        KeyedRateLimiterBuilder builder = KeyedRateLimiter
                .builder(RateLimiter.tokenBucket(100, 1, Duration.ofSeconds(1)))
                .expireAfterIdle(Duration.ofSeconds(10));
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expireAfterIdle PT10S is shorter than PT1M40S");
        assertThatThrownBy(() -> builder.maximumKeys(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maximumKeys must be positive, was 0");
        assertThatThrownBy(() -> builder.expireAfterIdle(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyedRateLimiter.builder(null)).isInstanceOf(NullPointerException.class);
        assertThat(builder.expireAfterIdle(Duration.ofMinutes(5)).build().tryAcquire("x")).isTrue();
    }

    @Test
    void statsAreCountedInTotalAndPerKeyOnRequest() {
        ManualTicker ticker = new ManualTicker(0);
        KeyedRateLimiter<String> totals = KeyedRateLimiter
                .builder(RateLimiter.fixedWindow(1, Duration.ofSeconds(1)).ticker(ticker)).recordStats().build();
        totals.tryAcquire("a");
        totals.tryAcquire("a");
        totals.tryAcquire("b");
        assertThat(totals.stats()).isEqualTo(new RateLimiterStats(2, 1));
        assertThat(totals.stats("a")).isEqualTo(RateLimiterStats.EMPTY);

        KeyedRateLimiter<String> perKey = KeyedRateLimiter
                .builder(RateLimiter.fixedWindow(1, Duration.ofSeconds(1)).ticker(ticker)).recordStatsPerKey()
                .build();
        perKey.tryAcquire("a");
        perKey.tryAcquire("a");
        perKey.tryAcquire("b");
        assertThat(perKey.stats("a")).isEqualTo(new RateLimiterStats(1, 1));
        assertThat(perKey.stats("b")).isEqualTo(new RateLimiterStats(1, 0));
        assertThat(perKey.stats("never")).isEqualTo(RateLimiterStats.EMPTY);
        assertThat(perKey.stats()).isEqualTo(new RateLimiterStats(2, 1));
    }

    @Test
    void acquireWaitsPerKey() throws InterruptedException {
        KeyedRateLimiter<String> limiter = KeyedRateLimiter
                .builder(RateLimiter.gcra(1, Duration.ofMinutes(1))).recordStats().build();
        limiter.acquire("a", 1, Duration.ofSeconds(1));
        limiter.acquire("b", 1, Duration.ofSeconds(1));
        assertThatThrownBy(() -> limiter.acquire("a", 1, Duration.ZERO)).isInstanceOf(RateLimitExceededException.class);
        assertThat(limiter.stats()).isEqualTo(new RateLimiterStats(2, 1));
    }
}
