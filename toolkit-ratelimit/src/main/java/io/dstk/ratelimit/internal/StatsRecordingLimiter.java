package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.RateLimitDecision;
import io.dstk.ratelimit.RateLimitExceededException;
import io.dstk.ratelimit.RateLimiter;
import io.dstk.ratelimit.RateLimiterStats;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/** Counts the decisions of a limiter; only built when stats were requested. */
final class StatsRecordingLimiter implements RateLimiter {
    private final AbstractLimiter delegate;
    private final LongAdder allowed = new LongAdder();
    private final LongAdder denied = new LongAdder();

    StatsRecordingLimiter(AbstractLimiter delegate) {
        this.delegate = delegate;
    }

    private boolean count(boolean granted) {
        (granted ? allowed : denied).increment();
        return granted;
    }

    @Override
    public boolean tryAcquire() {
        return count(delegate.tryAcquire());
    }

    @Override
    public boolean tryAcquire(int permits) {
        return count(delegate.tryAcquire(permits));
    }

    @Override
    public RateLimitDecision tryAcquireWithDecision(int permits) {
        RateLimitDecision decision = delegate.tryAcquireWithDecision(permits);
        count(decision.allowed());
        return decision;
    }

    @Override
    public void acquire(int permits, Duration timeout) throws InterruptedException {
        try {
            delegate.acquire(permits, timeout);
            allowed.increment();
        } catch (RateLimitExceededException e) {
            denied.increment();
            throw e;
        }
    }

    @Override
    public RateLimiterStats stats() {
        return new RateLimiterStats(allowed.sum(), denied.sum());
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
