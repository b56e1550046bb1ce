package io.dstk.ratelimit;

import io.dstk.ratelimit.internal.CaffeineKeyedRateLimiter;
import io.dstk.ratelimit.internal.LimiterSpec;
import java.time.Duration;
import java.util.Objects;

/**
 * Configures a {@link KeyedRateLimiter}. Setters validate at once and name the value in the exception.
 *
 * <p>Defaults: at most {@value #DEFAULT_MAXIMUM_KEYS} keys; a key is forgotten once it has been idle for the
 * time its limiter needs to be full again (capacity x emission interval for buckets, one window for the fixed
 * window and the log, two for the sliding window counter); no stats. The cache keeps idle keys one second
 * longer than the expiry, because Caffeine records accesses with a one-second tolerance.
 *
 * <p>Not thread safe. Each {@link #build()} returns an independent limiter.
 */
public final class KeyedRateLimiterBuilder {

    /** Default bound on the number of keys. */
    public static final long DEFAULT_MAXIMUM_KEYS = 100_000;

    private final RateLimiterBuilder perKey;
    private long maximumKeys = DEFAULT_MAXIMUM_KEYS;
    private Duration expireAfterIdle;
    private boolean recordStats;
    private boolean recordStatsPerKey;

    KeyedRateLimiterBuilder(RateLimiterBuilder perKey) {
        this.perKey = Objects.requireNonNull(perKey, "perKey");
    }

    /**
     * Bounds the number of keys tracked at once.
     *
     * @param maximumKeys at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code maximumKeys} is not positive
     */
    public KeyedRateLimiterBuilder maximumKeys(long maximumKeys) {
        if (maximumKeys <= 0) {
            throw new IllegalArgumentException("maximumKeys must be positive, was " + maximumKeys);
        }
        this.maximumKeys = maximumKeys;
        return this;
    }

    /**
     * Forgets a key after it has been idle this long. Must not be shorter than the time the key's limiter
     * needs to be full again, or a key could get its limit back early; {@link #build()} checks.
     *
     * @param expireAfterIdle positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws NullPointerException     if null
     */
    public KeyedRateLimiterBuilder expireAfterIdle(Duration expireAfterIdle) {
        Objects.requireNonNull(expireAfterIdle, "expireAfterIdle");
        if (expireAfterIdle.isNegative() || expireAfterIdle.isZero()) {
            throw new IllegalArgumentException("expireAfterIdle must be positive, was " + expireAfterIdle);
        }
        this.expireAfterIdle = expireAfterIdle;
        return this;
    }

    /**
     * Counts allowed and denied attempts over all keys ({@link KeyedRateLimiter#stats()}).
     *
     * @return this builder
     */
    public KeyedRateLimiterBuilder recordStats() {
        this.recordStats = true;
        return this;
    }

    /**
     * Also counts per key ({@link KeyedRateLimiter#stats(Object)}); costs two {@code LongAdder}s per key, so
     * use it only with few keys or for diagnosis. Implies {@link #recordStats()}.
     *
     * @return this builder
     */
    public KeyedRateLimiterBuilder recordStatsPerKey() {
        this.recordStats = true;
        this.recordStatsPerKey = true;
        return this;
    }

    /**
     * Builds the keyed limiter.
     *
     * @param <K> the key type
     * @return a new keyed limiter with no keys
     * @throws IllegalArgumentException if the idle expiry is shorter than the time a key needs to be full again
     */
    public <K> KeyedRateLimiter<K> build() {
        LimiterSpec spec = perKey.spec();
        long forget = spec.forgetAfterNanos();
        long expire = forget;
        if (expireAfterIdle != null) {
            expire = saturatedNanos(expireAfterIdle);
            if (expire < forget) {
                throw new IllegalArgumentException("expireAfterIdle " + expireAfterIdle + " is shorter than "
                        + Duration.ofNanos(forget) + ", the time a key of " + spec
                        + " needs to be full again: a key expired earlier would get its limit back too soon");
            }
        }
        return new CaffeineKeyedRateLimiter<>(spec, maximumKeys, Math.max(1, expire), recordStats,
                recordStatsPerKey);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        return "KeyedRateLimiter{perKey=" + perKey + ", maximumKeys=" + maximumKeys
                + (expireAfterIdle == null ? "" : ", expireAfterIdle=" + expireAfterIdle)
                + (recordStatsPerKey ? ", recordStatsPerKey" : recordStats ? ", recordStats" : "") + '}';
    }
}
