package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.RateLimitDecision;

/*
 * Sliding window log: the ticker reading of every granted permit still inside the window, oldest first, in a
 * ring buffer that grows by doubling up to 'limit' entries and never beyond (so memory is capped at 8 x limit
 * bytes and proportional to recent use). A permit granted at t counts against requests in (t, t + window).
 * Guarded by this object's monitor: the log is not a one-word state.
 */
final class SlidingWindowLog extends AbstractLimiter {
    private static final int INITIAL = 4;

    private final LimiterSpec spec;
    private long[] log;
    private int head;
    private int size;

    SlidingWindowLog(LimiterSpec spec) {
        this.spec = spec;
        this.log = new long[(int) Math.min(INITIAL, spec.limit)];
    }

    @Override
    public LimiterSpec spec() {
        return spec;
    }

    @Override
    public boolean tryAcquire(int permits) {
        checkPermits(permits);
        long now = spec.ticker.read();
        synchronized (this) {
            now = monotonic(now);
            expire(now);
            if (size + permits > spec.limit) {
                return false;
            }
            append(now, permits);
            return true;
        }
    }

    @Override
    public RateLimitDecision tryAcquireWithDecision(int permits) {
        checkPermits(permits);
        long now = spec.ticker.read();
        synchronized (this) {
            now = monotonic(now);
            expire(now);
            long window = spec.periodNanos;
            if (size + permits > spec.limit) {
                // the (size + permits - limit)-th oldest entry must leave the window first
                long leaving = log[(head + size + permits - (int) spec.limit - 1) % log.length];
                long retry = leaving + window - now;
                return new RateLimitDecision(false, spec.limit, spec.limit - size, retry, newest() + window - now);
            }
            append(now, permits);
            return new RateLimitDecision(true, spec.limit, spec.limit - size, 0, window);
        }
    }

    private long newest() {
        return log[(head + size - 1) % log.length];
    }

    /** Never earlier than the newest entry: a reading taken before another thread's append keeps the log sorted. */
    private long monotonic(long now) {
        return size > 0 && newest() - now > 0 ? newest() : now;
    }

    private void expire(long now) {
        long window = spec.periodNanos;
        while (size > 0 && now - log[head] >= window) {
            head = (head + 1) % log.length;
            size--;
        }
    }

    private void append(long now, int permits) {
        int needed = size + permits;
        if (needed > log.length) {
            grow(needed);
        }
        for (int i = 0; i < permits; i++) {
            log[(head + size) % log.length] = now;
            size++;
        }
    }

    private void grow(int needed) {
        long capacity = log.length;
        while (capacity < needed) {
            capacity *= 2;
        }
        long[] bigger = new long[(int) Math.min(capacity, spec.limit)];
        for (int i = 0; i < size; i++) {
            bigger[i] = log[(head + i) % log.length];
        }
        log = bigger;
        head = 0;
    }
}
