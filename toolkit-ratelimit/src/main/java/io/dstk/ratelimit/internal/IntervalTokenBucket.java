package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.RateLimitDecision;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/*
 * Token bucket whose refill comes all at once at period boundaries (counted from the spec's origin).
 *
 * State: one long s, in tokens. u = (elapsed / period) x refillTokens is the number of tokens granted so far;
 * the bucket holds capacity - max(0, s - u) tokens:
 *   base  = max(s, u)                  (a full bucket wastes the refill it cannot hold)
 *   admit n iff base + n - u <= capacity, then s := base + n
 * This is GCRA counted in tokens with time quantised to whole periods. u <= elapsed nanoseconds because the
 * builder rejects more than one token per nanosecond, so nothing overflows.
 */
final class IntervalTokenBucket extends AbstractLimiter {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(IntervalTokenBucket.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LimiterSpec spec;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;

    IntervalTokenBucket(LimiterSpec spec) {
        this.spec = spec;
        this.state = granted(spec, elapsed(spec, spec.ticker.read()));
    }

    private static long granted(LimiterSpec spec, long elapsed) {
        return elapsed / spec.periodNanos * spec.refillTokens;
    }

    @Override
    public LimiterSpec spec() {
        return spec;
    }

    @Override
    public boolean tryAcquire() {
        return admit(1);
    }

    @Override
    public boolean tryAcquire(int permits) {
        checkPermits(permits);
        return admit(permits);
    }

    private boolean admit(int permits) {
        final LimiterSpec s = spec;
        final long u = granted(s, elapsed(s, s.ticker.read()));
        for (;;) {
            long current = (long) STATE.getVolatile(this);
            long base = Math.max(current, u);
            if (base + permits - u > s.limit) {
                return false;
            }
            if (STATE.compareAndSet(this, current, base + permits)) {
                return true;
            }
            LockSupport.parkNanos(1L);
        }
    }

    @Override
    public RateLimitDecision tryAcquireWithDecision(int permits) {
        checkPermits(permits);
        final LimiterSpec s = spec;
        final long elapsed = elapsed(s, s.ticker.read());
        final long u = granted(s, elapsed);
        for (;;) {
            long current = (long) STATE.getVolatile(this);
            long base = Math.max(current, u);
            long next = base + permits;
            if (next - u > s.limit) {
                long retry = timeUntilGranted(s, elapsed, next - s.limit);
                return new RateLimitDecision(false, s.limit, s.limit - (base - u), retry,
                        timeUntilGranted(s, elapsed, base));
            }
            if (STATE.compareAndSet(this, current, next)) {
                return new RateLimitDecision(true, s.limit, s.limit - (next - u), 0,
                        timeUntilGranted(s, elapsed, next));
            }
            LockSupport.parkNanos(1L);
        }
    }

    /** Nanoseconds from {@code elapsed} until at least {@code tokens} tokens have been granted in total. */
    private static long timeUntilGranted(LimiterSpec s, long elapsed, long tokens) {
        if (tokens <= granted(s, elapsed)) {
            return 0;
        }
        long periods = (tokens + s.refillTokens - 1) / s.refillTokens;
        return periods * s.periodNanos - elapsed;
    }
}
