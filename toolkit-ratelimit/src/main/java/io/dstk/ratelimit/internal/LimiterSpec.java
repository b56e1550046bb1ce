package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.RateLimiter;
import io.dstk.ratelimit.Ticker;
import java.time.Duration;

/**
 * The immutable configuration of one limiter, shared by every limiter built from it (all keys of a keyed
 * limiter share one), so a limiter's own state can be a single field.
 */
public final class LimiterSpec {

    /** The algorithms, with the name of the factory that builds each. */
    public enum Algorithm {
        TOKEN_BUCKET("tokenBucket"),
        GCRA("gcra"),
        LEAKY_BUCKET_QUEUE("leakyBucketQueue"),
        FIXED_WINDOW("fixedWindow"),
        SLIDING_WINDOW_LOG("slidingWindowLog"),
        SLIDING_WINDOW_COUNTER("slidingWindowCounter");

        private final String factoryName;

        Algorithm(String factoryName) {
            this.factoryName = factoryName;
        }

        /**
         * Returns the name of the factory method on {@link RateLimiter}.
         *
         * @return e.g. {@code tokenBucket}
         */
        public String factoryName() {
            return factoryName;
        }
    }

    final Algorithm algorithm;
    /** Capacity, burst, permits per window, or queue capacity: the most one request may ask for. */
    final long limit;
    final long refillTokens;
    final long periodNanos;
    final boolean greedy;
    final long queueCapacity;
    final Ticker ticker;
    /** The ticker if it has a coarse reading (GCRA denies from it), else null. */
    final CoarseTicker coarse;
    /** GCRA with a coarse ticker: deny without reading the clock when tat - coarse + cost exceeds this. */
    final long coarseDenyAbove;
    final boolean recordStats;
    /** Emission interval T of GCRA / greedy bucket / leaky queue, whole nanoseconds (rounded down). */
    final long intervalNanos;
    /** GCRA: how far the theoretical arrival time may run ahead of now: limit x T. */
    final long toleranceNanos;
    /** Where intervals and windows start counting, a reading of {@link #ticker}. */
    final long origin;

    /**
     * Validates and derives the arithmetic of one configuration (values already checked one by one).
     *
     * @param algorithm     the algorithm
     * @param limit         capacity (token bucket) or permits per period/window
     * @param refillTokens  tokens or permits per period
     * @param periodNanos   refill period or window
     * @param greedy        token bucket: greedy refill
     * @param burst         GCRA burst
     * @param queueCapacity leaky bucket queue capacity
     * @param ticker        clock
     * @param recordStats   whether to count decisions
     */
    public LimiterSpec(Algorithm algorithm, long limit, long refillTokens, long periodNanos, boolean greedy,
                       long burst, long queueCapacity, Ticker ticker, boolean recordStats) {
        this.algorithm = algorithm;
        this.refillTokens = refillTokens;
        this.periodNanos = periodNanos;
        this.greedy = greedy;
        this.queueCapacity = queueCapacity;
        this.ticker = ticker;
        this.coarse = ticker instanceof CoarseTicker ? (CoarseTicker) ticker : null;
        this.recordStats = recordStats;
        this.intervalNanos = Math.max(1, periodNanos / refillTokens);
        switch (algorithm) {
            case GCRA:
                this.limit = burst;
                break;
            case LEAKY_BUCKET_QUEUE:
                this.limit = queueCapacity;
                break;
            default:
                this.limit = limit;
        }
        long tolerance = 0;
        if (usesGcra()) {
            try {
                tolerance = Math.multiplyExact(this.limit, intervalNanos);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("burst " + this.limit + " x emission interval "
                        + intervalNanos + " ns overflows; lower the capacity or the period", e);
            }
        }
        if (algorithm == Algorithm.LEAKY_BUCKET_QUEUE) {
            try {
                Math.multiplyExact(queueCapacity + 1, intervalNanos);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("queueCapacity " + queueCapacity + " x emission interval "
                        + intervalNanos + " ns overflows", e);
            }
        }
        this.toleranceNanos = tolerance;
        long slack = coarse == null ? 0 : coarse.slackNanos();
        this.coarseDenyAbove = tolerance > Long.MAX_VALUE / 2 - slack ? Long.MAX_VALUE / 2 : tolerance + slack;
        this.origin = ticker.read();
    }

    boolean usesGcra() {
        return algorithm == Algorithm.GCRA || (algorithm == Algorithm.TOKEN_BUCKET && greedy);
    }

    /**
     * Returns the most permits one request may ask for.
     *
     * @return the limit
     */
    public long limit() {
        return limit;
    }

    /**
     * Returns the clock.
     *
     * @return the ticker
     */
    public Ticker ticker() {
        return ticker;
    }

    /**
     * Returns whether limiters count their decisions.
     *
     * @return whether stats are recorded
     */
    public boolean recordStats() {
        return recordStats;
    }

    /**
     * Returns the algorithm.
     *
     * @return the algorithm
     */
    public Algorithm algorithm() {
        return algorithm;
    }

    /**
     * Returns how long after its last use a limiter is indistinguishable from a new one: a keyed limiter may
     * forget a key only after this long, or the key would get its full limit back too early.
     *
     * @return nanoseconds
     */
    public long forgetAfterNanos() {
        switch (algorithm) {
            case TOKEN_BUCKET:
                if (greedy) {
                    return toleranceNanos;
                }
                // a full refill takes ceil(capacity / refillTokens) periods, plus the partial period in progress
                return saturatedMultiply((limit + refillTokens - 1) / refillTokens + 1, periodNanos);
            case GCRA:
                return toleranceNanos;
            case LEAKY_BUCKET_QUEUE:
                return saturatedMultiply(queueCapacity + 1, intervalNanos);
            case FIXED_WINDOW:
            case SLIDING_WINDOW_LOG:
                return periodNanos;
            case SLIDING_WINDOW_COUNTER:
                return saturatedMultiply(2, periodNanos);
            default:
                throw new AssertionError(algorithm);
        }
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }

    /**
     * Builds a limiter without stats recording (keyed limiters count for all keys at once).
     *
     * @return a new limiter, full
     */
    public AbstractLimiter newBareLimiter() {
        switch (algorithm) {
            case TOKEN_BUCKET:
                return greedy ? new GcraLimiter(this) : new IntervalTokenBucket(this);
            case GCRA:
                return new GcraLimiter(this);
            case LEAKY_BUCKET_QUEUE:
                return new LeakyBucketQueue(this);
            case FIXED_WINDOW:
                return new FixedWindowLimiter(this);
            case SLIDING_WINDOW_LOG:
                return new SlidingWindowLog(this);
            case SLIDING_WINDOW_COUNTER:
                return new SlidingWindowCounter(this);
            default:
                throw new AssertionError(algorithm);
        }
    }

    /**
     * Builds a limiter, wrapped to count its decisions if stats were requested.
     *
     * @return a new limiter, full
     */
    public RateLimiter newLimiter() {
        AbstractLimiter limiter = newBareLimiter();
        return recordStats ? new StatsRecordingLimiter(limiter) : limiter;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(algorithm.factoryName()).append('{');
        switch (algorithm) {
            case TOKEN_BUCKET:
                s.append("capacity=").append(limit).append(", refill=").append(refillTokens).append(" per ")
                        .append(Duration.ofNanos(periodNanos)).append(greedy ? " greedy" : " intervally");
                break;
            case GCRA:
                s.append("rate=").append(refillTokens).append(" per ").append(Duration.ofNanos(periodNanos))
                        .append(", burst=").append(limit);
                break;
            case LEAKY_BUCKET_QUEUE:
                s.append("rate=").append(refillTokens).append(" per ").append(Duration.ofNanos(periodNanos))
                        .append(", queueCapacity=").append(queueCapacity);
                break;
            default:
                s.append("limit=").append(limit).append(" per ").append(Duration.ofNanos(periodNanos));
        }
        if (recordStats) {
            s.append(", recordStats");
        }
        return s.append('}').toString();
    }
}
