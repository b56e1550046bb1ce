package io.dstk.ratelimit;

/**
 * A snapshot of how many admission attempts a limiter allowed and denied since it was built.
 *
 * <p>Counted only when the limiter was built with {@code recordStats()}; otherwise both counts stay zero, so
 * the hot path pays nothing. Each {@code tryAcquire}, {@code tryAcquireWithDecision} or {@code acquire} call
 * counts once, whatever its number of permits. Immutable.
 *
 * @param allowed attempts that were granted
 * @param denied  attempts that were refused (for {@code acquire}: those that timed out)
 */
public record RateLimiterStats(long allowed, long denied) {

    /** The snapshot of a limiter that does not record stats. */
    public static final RateLimiterStats EMPTY = new RateLimiterStats(0, 0);

    /**
     * Validates the counts.
     *
     * @throws IllegalArgumentException if a count is negative
     */
    public RateLimiterStats {
        if (allowed < 0 || denied < 0) {
            throw new IllegalArgumentException("negative count: allowed=" + allowed + ", denied=" + denied);
        }
    }
}
