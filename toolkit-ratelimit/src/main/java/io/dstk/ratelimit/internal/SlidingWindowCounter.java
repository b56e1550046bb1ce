package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.RateLimitDecision;

/*
 * Sliding window counter (Cloudflare): counts per fixed window (aligned to the spec's origin) and estimates the
 * sliding window ending now as previous x (window - intoWindow) / window + current. Admit n iff
 * estimate + n <= limit. Guarded by this object's monitor (three numbers, not one word).
 */
final class SlidingWindowCounter extends AbstractLimiter {
    private final LimiterSpec spec;
    private long windowIndex;
    private long previous;
    private long current;

    SlidingWindowCounter(LimiterSpec spec) {
        this.spec = spec;
    }

    @Override
    public LimiterSpec spec() {
        return spec;
    }

    @Override
    public boolean tryAcquire(int permits) {
        checkPermits(permits);
        long elapsed = elapsed(spec, spec.ticker.read());
        synchronized (this) {
            long into = roll(elapsed);
            if (estimate(into) + permits > spec.limit) {
                return false;
            }
            current += permits;
            return true;
        }
    }

    @Override
    public RateLimitDecision tryAcquireWithDecision(int permits) {
        checkPermits(permits);
        long elapsed = elapsed(spec, spec.ticker.read());
        long window = spec.periodNanos;
        synchronized (this) {
            long into = roll(elapsed);
            double estimate = estimate(into);
            if (estimate + permits > spec.limit) {
                long remaining = (long) Math.max(0, Math.floor(spec.limit - estimate));
                return new RateLimitDecision(false, spec.limit, remaining, retryAfter(into, permits),
                        resetAfter(into));
            }
            current += permits;
            long remaining = (long) Math.max(0, Math.floor(spec.limit - estimate - permits));
            return new RateLimitDecision(true, spec.limit, remaining, 0, resetAfter(into));
        }
    }

    /** Moves to the window of {@code elapsed}; returns how far into that window it is. */
    private long roll(long elapsed) {
        long window = spec.periodNanos;
        long index = elapsed / window;
        if (index < windowIndex) {
            // a reading taken before another thread moved to a later window: count it at the start of the
            // current window, where the previous window weighs most (never roll back and lose counts)
            return 0;
        }
        if (index != windowIndex) {
            previous = index == windowIndex + 1 ? current : 0;
            current = 0;
            windowIndex = index;
        }
        return elapsed - index * window;
    }

    private double estimate(long into) {
        return estimate(previous, current, into);
    }

    private double estimate(long prev, long cur, long into) {
        long window = spec.periodNanos;
        return prev == 0 ? cur : prev * ((double) (window - into) / window) + cur;
    }

    private long resetAfter(long into) {
        long window = spec.periodNanos;
        if (current > 0) {
            return 2 * window - into;
        }
        return previous > 0 ? window - into : 0;
    }

    /** Shortest wait after which the same request passes if nothing else is granted meanwhile. */
    private long retryAfter(long into, int permits) {
        long window = spec.periodNanos;
        long limit = spec.limit;
        long prev;
        long cur;
        long start;
        long offset;
        if (current + permits <= limit) {
            // passes later in this window, once enough of the previous window has slid out
            prev = previous;
            cur = current;
            start = into;
            offset = 0;
        } else {
            // passes in the next window, once enough of this window has slid out
            prev = current;
            cur = 0;
            start = 0;
            offset = window - into;
        }
        double fraction = 1.0 - (double) (limit - cur - permits) / prev;
        long x = Math.max(start, (long) Math.ceil(fraction * window));
        // floating-point rounding: settle on the first nanosecond that really passes
        while (x > start && estimate(prev, cur, x - 1) + permits <= limit) {
            x--;
        }
        while (x < window && estimate(prev, cur, x) + permits > limit) {
            x++;
        }
        return offset + x - start;
    }
}
