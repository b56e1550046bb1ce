package io.dstk.ratelimit;

import java.time.Duration;

/**
 * Thrown by the blocking {@code acquire} methods when the permits cannot be granted within the timeout.
 *
 * <p>No permits were consumed when this is thrown. {@link #retryAfter()} tells how long the caller would have
 * had to wait at the moment it gave up (an estimate: other callers may take permits meanwhile).
 */
public final class RateLimitExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long retryAfterNanos;

    /**
     * Creates the exception.
     *
     * @param message         what was refused, naming the permits and the timeout
     * @param retryAfterNanos how long the caller would have had to wait, never negative
     */
    public RateLimitExceededException(String message, long retryAfterNanos) {
        super(message);
        this.retryAfterNanos = Math.max(0, retryAfterNanos);
    }

    /**
     * Returns how long the caller would have had to wait.
     *
     * @return the estimated wait, never negative
     */
    public Duration retryAfter() {
        return Duration.ofNanos(retryAfterNanos);
    }
}
