package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.RateLimitDecision;
import io.dstk.ratelimit.RateLimitExceededException;
import io.dstk.ratelimit.RateLimiter;
import io.dstk.ratelimit.RateLimiterStats;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Shared checks and the generic wait-and-retry {@code acquire}. Subclasses hold a reference to their
 * {@link LimiterSpec} and their state only, so a keyed limiter pays a few bytes per key.
 */
public abstract class AbstractLimiter implements RateLimiter {

    /**
     * Returns the shared configuration.
     *
     * @return the spec
     */
    public abstract LimiterSpec spec();

    @Override
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    @Override
    public RateLimiterStats stats() {
        return RateLimiterStats.EMPTY;
    }

    @Override
    public void acquire(int permits, Duration timeout) throws InterruptedException {
        long timeoutNanos = timeoutNanos(timeout);
        checkPermits(permits);
        LimiterSpec spec = spec();
        long deadline = spec.ticker.read() + timeoutNanos;
        // Waits are real; bounding them by the real clock as well keeps a stopped test ticker from looping forever.
        long realDeadline = System.nanoTime() + timeoutNanos;
        for (;;) {
            RateLimitDecision decision = tryAcquireWithDecision(permits);
            if (decision.allowed()) {
                return;
            }
            long wait = decision.retryAfterNanos();
            long left = Math.min(deadline - spec.ticker.read(), realDeadline - System.nanoTime());
            if (wait > left) {
                throw exceeded(permits, timeout, wait);
            }
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    final void checkPermits(int permits) {
        if (permits <= 0) {
            throw new IllegalArgumentException("permits must be positive, was " + permits);
        }
        if (permits > spec().limit) {
            throw new IllegalArgumentException("permits " + permits + " exceed the limit " + spec().limit
                    + " of " + spec().algorithm.factoryName() + ": they could never be granted");
        }
    }

    static long timeoutNanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    static RateLimitExceededException exceeded(int permits, Duration timeout, long waitNanos) {
        return new RateLimitExceededException(permits + " permit(s) not available within " + timeout
                + "; retry after " + Duration.ofNanos(waitNanos), waitNanos);
    }

    /** Elapsed nanoseconds since the spec's origin, never negative (a ticker running backwards counts as 0). */
    static long elapsed(LimiterSpec spec, long now) {
        long e = now - spec.origin;
        return e < 0 ? 0 : e;
    }

    @Override
    public String toString() {
        return spec().toString();
    }
}
