package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.RateLimitDecision;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/*
 * Fixed window counter. State: one long, (window index mod 2^32) << 32 | count. Windows are counted from the
 * spec's origin. A state left idle for almost exactly a multiple of 2^32 windows (49 days at 1 ms windows,
 * within 1024 windows) would be mistaken for a current one and count its old permits against the new window.
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

    private static final long TAG = 0xFFFF_FFFF_0000_0000L;
    private static final long COUNT = 0xFFFF_FFFFL;
    private static final int STALE_WINDOWS = 1024;

    private final LimiterSpec spec;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;

    FixedWindowLimiter(LimiterSpec spec) {
        this.spec = spec;
        // start in the current window, so a limiter created late never looks "ahead" of its first reading
        this.state = (elapsed(spec, spec.ticker.read()) / spec.periodNanos) << 32;
    }

    /**
     * The window to count in: ours, unless the state is at most {@value #STALE_WINDOWS} windows ahead (modulo
     * 2^32), which means our reading was taken before another thread moved on; we then count in that later
     * window, so a stale reading can never roll the state back. A state further ahead can only be an old one
     * wrapped around, and is ignored.
     */
    private static long newer(long state, long mine) {
        long theirs = state & TAG;
        int ahead = (int) ((theirs >>> 32) - (mine >>> 32));
        return ahead > 0 && ahead <= STALE_WINDOWS ? theirs : mine;
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
        final long mine = (elapsed(s, s.ticker.read()) / s.periodNanos) << 32;
        for (;;) {
            long current = (long) STATE.getVolatile(this);
            long tag = newer(current, mine);
            long count = (current & TAG) == tag ? current & COUNT : 0;
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
        final long mine = window << 32;
        final long untilNextWindow = (window + 1) * s.periodNanos - elapsed;
        for (;;) {
            long current = (long) STATE.getVolatile(this);
            long tag = newer(current, mine);
            long count = (current & TAG) == tag ? current & COUNT : 0;
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
