package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.RateLimitDecision;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/*
 * GCRA, virtual scheduling form (ITU-T I.371): the leaky bucket as a meter. It is also the token bucket with
 * greedy refill: with emission interval T = period / tokens and tolerance tau = capacity x T, the bucket holds
 * (now + tau - tat) / T tokens, so both share this one admission function.
 *
 * State: one long, the theoretical arrival time (tat) of the next permit, as a ticker reading.
 *   base  = max(tat, now)              (a bucket that is full forgets the unused time)
 *   next  = base + permits x T
 *   admit iff next - now <= tau, then tat := next (one CAS)
 * All comparisons subtract first, so ticker readings may wrap like System.nanoTime().
 *
 * Contention: a failed CAS means another thread moved tat; we retry with the same 'now' (no second clock
 * read) after parking for 1 ns, which spreads the two threads apart and measured about twice as fast at two
 * threads than spinning. A denial needs no CAS at all.
 *
 * Coarse ticker (Ticker.coarse): before reading the clock, tryAcquire checks the admission rule against the
 * coarse reading c, a past reading of the same clock, assuming the clock moved by the slack (2 resolutions)
 * since: if tat - (c + slack) + cost > tau, it denies at once. While now - c <= slack that denial is exactly the
 * rule's (now <= c + slack); if the refresher ran late it may deny a call the rule would admit (a delay of at
 * most now - c - slack). A call that passes the check still goes through the exact rule below, so every
 * admission and every tat is exactly GCRA's: admitted calls always conform.
 */
final class GcraLimiter extends AbstractLimiter {
    private static final VarHandle TAT;

    static {
        try {
            TAT = MethodHandles.lookup().findVarHandle(GcraLimiter.class, "tat", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LimiterSpec spec;
    @SuppressWarnings("unused") // accessed through TAT
    private volatile long tat;

    GcraLimiter(LimiterSpec spec) {
        this.spec = spec;
        // A full bucket: any tat at or before now admits alike. Dating it back by the tolerance from the coarse
        // reading (a past reading of the same clock) keeps the coarse pre-check from denying a new limiter's first
        // call however late the refresher runs.
        long start = spec.coarse == null ? spec.ticker.read() : spec.coarse.readCoarse();
        this.tat = start - spec.toleranceNanos;
    }

    @Override
    public LimiterSpec spec() {
        return spec;
    }

    @Override
    public boolean tryAcquire() {
        return admit(spec.intervalNanos);
    }

    @Override
    public boolean tryAcquire(int permits) {
        checkPermits(permits);
        return admit(permits * spec.intervalNanos);
    }

    private boolean admit(long cost) {
        final LimiterSpec s = spec;
        final CoarseTicker coarse = s.coarse;
        if (coarse != null && (long) TAT.getVolatile(this) - coarse.readCoarse() + cost > s.coarseDenyAbove) {
            return false;
        }
        final long now = s.ticker.read();
        final long tolerance = s.toleranceNanos;
        for (;;) {
            long current = (long) TAT.getVolatile(this);
            long base = current - now > 0 ? current : now;
            long next = base + cost;
            if (next - now > tolerance) {
                return false;
            }
            if (TAT.compareAndSet(this, current, next)) {
                return true;
            }
            LockSupport.parkNanos(1L);
        }
    }

    @Override
    public RateLimitDecision tryAcquireWithDecision(int permits) {
        checkPermits(permits);
        final LimiterSpec s = spec;
        final long interval = s.intervalNanos;
        final long cost = permits * interval;
        final long tolerance = s.toleranceNanos;
        final long now = s.ticker.read();
        for (;;) {
            long current = (long) TAT.getVolatile(this);
            long base = current - now > 0 ? current : now;
            long next = base + cost;
            long ahead = next - now;
            if (ahead > tolerance) {
                long backlog = base - now; // beyond the tolerance if acquire() reserved permits ahead
                return new RateLimitDecision(false, s.limit, Math.max(0, tolerance - backlog) / interval,
                        ahead - tolerance, backlog);
            }
            if (TAT.compareAndSet(this, current, next)) {
                return new RateLimitDecision(true, s.limit, (tolerance - ahead) / interval, 0, ahead);
            }
            LockSupport.parkNanos(1L);
        }
    }

    @Override
    public void acquire(int permits, Duration timeout) throws InterruptedException {
        long timeoutNanos = timeoutNanos(timeout);
        checkPermits(permits);
        final LimiterSpec s = spec;
        final long cost = permits * s.intervalNanos;
        final long now = s.ticker.read();
        for (;;) {
            long current = (long) TAT.getVolatile(this);
            long base = current - now > 0 ? current : now;
            long next = base + cost;
            long wait = next - now - s.toleranceNanos;
            if (wait > timeoutNanos) {
                throw exceeded(permits, timeout, wait);
            }
            // Reserve: move tat even when we must wait, so later callers queue behind us.
            if (TAT.compareAndSet(this, current, next)) {
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                return;
            }
            LockSupport.parkNanos(1L);
        }
    }
}
