package io.dstk.ratelimit.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dstk.ratelimit.KeyedRateLimiter;
import io.dstk.ratelimit.RateLimitDecision;
import io.dstk.ratelimit.RateLimitExceededException;
import io.dstk.ratelimit.RateLimiter;
import io.dstk.ratelimit.RateLimiterStats;
import io.dstk.ratelimit.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Keyed limiter over a bounded Caffeine cache of per-key limiters that share one {@link LimiterSpec}.
 * Expiry is after access (plus Caffeine's access-time tolerance), measured on the limiter's own ticker
 * (relative to build time, so Caffeine's arithmetic never sees a wrapping value).
 *
 * @param <K> key type
 */
public final class CaffeineKeyedRateLimiter<K> implements KeyedRateLimiter<K> {
    /**
     * Caffeine 3.x does not record an access that comes within 1 s of the previous recorded one (when the
     * expiry is longer than 1 s), so an entry can expire up to 1 s before "last access + expiry". Adding this
     * margin keeps a key for at least the time its limiter needs to be full again after its real last use.
     */
    static final long CAFFEINE_ACCESS_TOLERANCE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Cache<K, RateLimiter> cache;
    private final Function<K, RateLimiter> factory;
    private final LongAdder allowed;
    private final LongAdder denied;
    private final boolean perKeyStats;

    /**
     * Creates the keyed limiter.
     *
     * @param spec         per-key configuration
     * @param maximumKeys  cache bound
     * @param expireNanos  idle expiry
     * @param recordStats  count totals
     * @param perKeyStats  count per key as well
     */
    public CaffeineKeyedRateLimiter(LimiterSpec spec, long maximumKeys, long expireNanos, boolean recordStats,
                                    boolean perKeyStats) {
        Ticker ticker = spec.ticker();
        long start = ticker.read();
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumKeys)
                .expireAfterAccess(saturatedAdd(expireNanos, CAFFEINE_ACCESS_TOLERANCE_NANOS), TimeUnit.NANOSECONDS)
                .ticker(() -> Math.max(0, ticker.read() - start))
                .build();
        this.perKeyStats = perKeyStats;
        this.factory = perKeyStats ? k -> new StatsRecordingLimiter(spec.newBareLimiter()) : k -> spec.newBareLimiter();
        this.allowed = recordStats ? new LongAdder() : null;
        this.denied = recordStats ? new LongAdder() : null;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private RateLimiter limiter(K key) {
        return cache.get(Objects.requireNonNull(key, "key"), factory);
    }

    private boolean count(boolean granted) {
        if (allowed != null) {
            (granted ? allowed : denied).increment();
        }
        return granted;
    }

    @Override
    public boolean tryAcquire(K key) {
        return count(limiter(key).tryAcquire());
    }

    @Override
    public boolean tryAcquire(K key, int permits) {
        return count(limiter(key).tryAcquire(permits));
    }

    @Override
    public RateLimitDecision tryAcquireWithDecision(K key, int permits) {
        RateLimitDecision decision = limiter(key).tryAcquireWithDecision(permits);
        count(decision.allowed());
        return decision;
    }

    @Override
    public void acquire(K key, int permits, Duration timeout) throws InterruptedException {
        try {
            limiter(key).acquire(permits, timeout);
            count(true);
        } catch (RateLimitExceededException e) {
            count(false);
            throw e;
        }
    }

    @Override
    public long estimatedKeyCount() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    @Override
    public RateLimiterStats stats() {
        return allowed == null ? RateLimiterStats.EMPTY : new RateLimiterStats(allowed.sum(), denied.sum());
    }

    @Override
    public RateLimiterStats stats(K key) {
        RateLimiter limiter = cache.getIfPresent(Objects.requireNonNull(key, "key"));
        return perKeyStats && limiter != null ? limiter.stats() : RateLimiterStats.EMPTY;
    }
}
