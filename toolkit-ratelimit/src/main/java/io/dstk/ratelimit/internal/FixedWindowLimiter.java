package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.RateLimitDecision;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/*
 * Fixed window counter. State: one long, (window index mod 2^32) << 32 | count. Windows are counted from the
 * spec's origin. A stale state whose index equals the current one modulo 2^32 would need exactly a multiple of
 * 2^32 idle windows (49 days at 1 ms windows) and then merely counts the old permits against the new window.
 */
final class FixedWindowLimiter extends AbstractLimiter {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FixedWindowLimiter.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LimiterSpec spec;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;

    FixedWindowLimiter(LimiterSpec spec) {
        this.spec = spec;
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
        final long window = elapsed(s, s.ticker.read()) / s.periodNanos;
        final long tag = window << 32;
        for (;;) {
            long current = (long) STATE.getVolatile(this);
            long count = (current & 0xFFFF_FFFF_0000_0000L) == tag ? current & 0xFFFF_FFFFL : 0;
            long next = count + permits;
            if (next > s.limit) {
                return false;
            }
            if (STATE.compareAndSet(this, current, tag | next)) {
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
        final long window = elapsed / s.periodNanos;
        final long tag = window << 32;
        final long untilNextWindow = (window + 1) * s.periodNanos - elapsed;
        for (;;) {
            long current = (long) STATE.getVolatile(this);
            long count = (current & 0xFFFF_FFFF_0000_0000L) == tag ? current & 0xFFFF_FFFFL : 0;
            long next = count + permits;
            if (next > s.limit) {
                return new RateLimitDecision(false, s.limit, s.limit - count, untilNextWindow, untilNextWindow);
            }
            if (STATE.compareAndSet(this, current, tag | next)) {
                return new RateLimitDecision(true, s.limit, s.limit - next, 0, untilNextWindow);
            }
            LockSupport.parkNanos(1L);
        }
    }
}
