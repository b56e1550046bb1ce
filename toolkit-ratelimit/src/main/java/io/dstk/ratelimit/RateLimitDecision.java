package io.dstk.ratelimit;

import java.time.Duration;

/**
 * The outcome of one admission attempt, with what an HTTP server needs to answer it: {@code 429 Too Many
 * Requests} with {@code Retry-After}, and the {@code RateLimit-Limit}, {@code RateLimit-Remaining} and
 * {@code RateLimit-Reset} headers of the IETF draft (all three are relative numbers, so no wall clock is
 * involved).
 *
 * <p>Immutable and thread safe.
 *
 * @param allowed          whether the permits were granted (and consumed)
 * @param limit            the limit the decision was taken against (bucket capacity, burst, or permits per window)
 * @param remaining        how many more permits a caller could take right now, after this decision; never
 *                         negative (the leaky bucket queue paces every departure, so it reports 0 until the
 *                         next one is due)
 * @param retryAfterNanos  when denied, how long until the same request would be granted if nothing else
 *                         consumed permits meanwhile; {@code 0} when allowed
 * @param resetAfterNanos  how long until the limiter is back to its full limit if no more permits are taken
 *                         ({@code 0} if it already is)
 */
public record RateLimitDecision(boolean allowed, long limit, long remaining, long retryAfterNanos,
                                long resetAfterNanos) {

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if a count or duration is negative, or an allowed decision has a retry-after
     */
    public RateLimitDecision {
        if (limit < 0 || remaining < 0 || retryAfterNanos < 0 || resetAfterNanos < 0) {
            throw new IllegalArgumentException("negative field in decision: limit=" + limit + ", remaining="
                    + remaining + ", retryAfterNanos=" + retryAfterNanos + ", resetAfterNanos=" + resetAfterNanos);
        }
        if (allowed && retryAfterNanos != 0) {
            throw new IllegalArgumentException("an allowed decision has no retry-after, was " + retryAfterNanos);
        }
    }

    /**
     * Returns the wait before retrying.
     *
     * @return {@link #retryAfterNanos()} as a duration
     */
    public Duration retryAfter() {
        return Duration.ofNanos(retryAfterNanos);
    }

    /**
     * Returns the wait until the limiter is full again.
     *
     * @return {@link #resetAfterNanos()} as a duration
     */
    public Duration resetAfter() {
        return Duration.ofNanos(resetAfterNanos);
    }

    /**
     * Returns the value for a {@code Retry-After} header: whole seconds, rounded up so a client that obeys it
     * is not refused again for being early.
     *
     * @return seconds to wait, {@code 0} when allowed
     */
    public long retryAfterSeconds() {
        return ceilSeconds(retryAfterNanos);
    }

    /**
     * Returns the value for a {@code RateLimit-Reset} header: whole seconds until the full limit is back,
     * rounded up.
     *
     * @return seconds until reset
     */
    public long resetAfterSeconds() {
        return ceilSeconds(resetAfterNanos);
    }

    private static long ceilSeconds(long nanos) {
        return nanos / 1_000_000_000L + (nanos % 1_000_000_000L == 0 ? 0 : 1);
    }
}
