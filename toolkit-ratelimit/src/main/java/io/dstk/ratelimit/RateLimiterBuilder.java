package io.dstk.ratelimit;

import io.dstk.ratelimit.internal.LimiterSpec;
import io.dstk.ratelimit.internal.LimiterSpec.Algorithm;
import java.time.Duration;
import java.util.Objects;

/**
 * Configures one rate limiter; obtained from the factories on {@link RateLimiter}, which take the required
 * values. Each setter validates its argument at once and names it in the exception; a setter that does not
 * apply to the chosen algorithm throws {@link IllegalStateException}.
 *
 * <p>Defaults: {@link Ticker#system()}, no stats, greedy refill (token bucket), burst = permits (GCRA), queue
 * capacity = permits (leaky bucket queue).
 *
 * <p>Not thread safe; {@link #build()} can be called many times and each limiter is independent. A
 * {@link KeyedRateLimiter} builder takes a copy of this configuration for every key.
 */
public final class RateLimiterBuilder {

    /** The largest limit of a sliding window log (its memory is 8 bytes per permit). */
    public static final int MAX_LOG_LIMIT = 1 << 20;

    private final Algorithm algorithm;
    private final long limit;
    private final long refillTokens;
    private final long periodNanos;
    private Ticker ticker = Ticker.system();
    private boolean greedy = true;
    private long burst;
    private long queueCapacity;
    private boolean recordStats;
    /** The configuration shared by every limiter built until a setter changes it. */
    private LimiterSpec spec;

    private RateLimiterBuilder(Algorithm algorithm, long limit, long refillTokens, long periodNanos) {
        this.algorithm = algorithm;
        this.limit = limit;
        this.refillTokens = refillTokens;
        this.periodNanos = periodNanos;
        this.burst = limit;
        this.queueCapacity = limit;
    }

    static RateLimiterBuilder tokenBucket(long capacity, long refillTokens, Duration refillPeriod) {
        positive("capacity", capacity);
        positive("refillTokens", refillTokens);
        long period = nanos("refillPeriod", refillPeriod);
        atMostOnePerNanosecond("refillTokens", refillTokens, period);
        return new RateLimiterBuilder(Algorithm.TOKEN_BUCKET, capacity, refillTokens, period);
    }

    static RateLimiterBuilder gcra(long permits, Duration period) {
        positive("permits", permits);
        long p = nanos("period", period);
        atMostOnePerNanosecond("permits", permits, p);
        return new RateLimiterBuilder(Algorithm.GCRA, permits, permits, p);
    }

    static RateLimiterBuilder leakyBucketQueue(long permits, Duration period) {
        positive("permits", permits);
        long p = nanos("period", period);
        atMostOnePerNanosecond("permits", permits, p);
        return new RateLimiterBuilder(Algorithm.LEAKY_BUCKET_QUEUE, permits, permits, p);
    }

    static RateLimiterBuilder fixedWindow(long limit, Duration window) {
        positive("limit", limit);
        if (limit > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("limit must be at most " + Integer.MAX_VALUE + ", was " + limit);
        }
        return new RateLimiterBuilder(Algorithm.FIXED_WINDOW, limit, limit, nanos("window", window));
    }

    static RateLimiterBuilder slidingWindowLog(long limit, Duration window) {
        positive("limit", limit);
        if (limit > MAX_LOG_LIMIT) {
            throw new IllegalArgumentException("limit must be at most " + MAX_LOG_LIMIT
                    + " for a sliding window log (8 bytes per permit), was " + limit);
        }
        return new RateLimiterBuilder(Algorithm.SLIDING_WINDOW_LOG, limit, limit, nanos("window", window));
    }

    static RateLimiterBuilder slidingWindowCounter(long limit, Duration window) {
        positive("limit", limit);
        return new RateLimiterBuilder(Algorithm.SLIDING_WINDOW_COUNTER, limit, limit, nanos("window", window));
    }

    /**
     * Sets the clock (default {@link Ticker#system()}). With {@link Ticker#coarse(Duration)}, GCRA and the greedy
     * token bucket deny without reading the clock (cheaper denials, admissions delayed by up to its resolution).
     *
     * @param ticker the ticker
     * @return this builder
     * @throws NullPointerException if {@code ticker} is null
     */
    public RateLimiterBuilder ticker(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.spec = null;
        return this;
    }

    /**
     * Counts allowed and denied attempts for {@link RateLimiter#stats()} and the Micrometer binder. Costs one
     * {@link java.util.concurrent.atomic.LongAdder} increment per attempt; off by default.
     *
     * @return this builder
     */
    public RateLimiterBuilder recordStats() {
        this.recordStats = true;
        this.spec = null;
        return this;
    }

    /**
     * Token bucket only: refill one token every {@code refillPeriod / refillTokens} (the default).
     *
     * @return this builder
     * @throws IllegalStateException if the algorithm is not the token bucket
     */
    public RateLimiterBuilder refillGreedy() {
        only(Algorithm.TOKEN_BUCKET, "refillGreedy");
        this.greedy = true;
        this.spec = null;
        return this;
    }

    /**
     * Token bucket only: add all {@code refillTokens} at once at the end of each {@code refillPeriod}, counted
     * from the moment the limiter is built.
     *
     * @return this builder
     * @throws IllegalStateException if the algorithm is not the token bucket
     */
    public RateLimiterBuilder refillIntervally() {
        only(Algorithm.TOKEN_BUCKET, "refillIntervally");
        this.greedy = false;
        this.spec = null;
        return this;
    }

    /**
     * GCRA only: how many permits may pass back to back (the burst tolerance is {@code (burst - 1) x T} on top
     * of the one permit always due). Default: the permits per period.
     *
     * @param burst at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code burst} is not positive
     * @throws IllegalStateException    if the algorithm is not GCRA
     */
    public RateLimiterBuilder burst(long burst) {
        only(Algorithm.GCRA, "burst");
        positive("burst", burst);
        this.burst = burst;
        this.spec = null;
        return this;
    }

    /**
     * Leaky bucket queue only: how many permits may wait in the queue. Default: the permits per period.
     *
     * @param queueCapacity at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code queueCapacity} is not positive
     * @throws IllegalStateException    if the algorithm is not the leaky bucket queue
     */
    public RateLimiterBuilder queueCapacity(long queueCapacity) {
        only(Algorithm.LEAKY_BUCKET_QUEUE, "queueCapacity");
        positive("queueCapacity", queueCapacity);
        this.queueCapacity = queueCapacity;
        this.spec = null;
        return this;
    }

    /**
     * Builds a limiter, full (a bucket starts with all its tokens; a window starts empty). Limiters built
     * from one builder share its immutable configuration (so many of them cost little memory) and count their
     * windows and refill intervals from the first {@code build()} after the last setter call.
     *
     * @return a new, independent limiter
     * @throws IllegalArgumentException if the combination of values overflows the limiter's arithmetic
     */
    public RateLimiter build() {
        return spec().newLimiter();
    }

    /** Snapshot of this configuration, shared by the limiters built from it; used by keyed limiters. */
    LimiterSpec spec() {
        if (spec == null) {
            spec = newSpec();
        }
        return spec;
    }

    private LimiterSpec newSpec() {
        return new LimiterSpec(algorithm, limit, refillTokens, periodNanos, greedy, burst, queueCapacity, ticker,
                recordStats);
    }

    @Override
    public String toString() {
        return (spec == null ? newSpec() : spec).toString(); // printing must not fix the windows' origin
    }

    private void only(Algorithm expected, String setting) {
        if (algorithm != expected) {
            throw new IllegalStateException(setting + " applies only to " + expected.factoryName()
                    + ", not to " + algorithm.factoryName());
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    private static long nanos(String name, Duration duration) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " is too long to count in nanoseconds, was " + duration, e);
        }
    }

    private static void atMostOnePerNanosecond(String name, long permits, long periodNanos) {
        if (permits > periodNanos) {
            throw new IllegalArgumentException(name + " " + permits + " per " + Duration.ofNanos(periodNanos)
                    + " exceeds one per nanosecond");
        }
    }
}
