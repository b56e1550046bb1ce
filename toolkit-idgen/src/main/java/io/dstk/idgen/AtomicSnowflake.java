package io.dstk.idgen;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The Snowflake generator.
 */
final class AtomicSnowflake implements SnowflakeGenerator {
    /*
     * All mutable id state is one AtomicLong: (tick << seqBits) | seq of the last id issued (the logical
     * clock). It starts at (high-water tick, full sequence) so the first id comes from a later tick. The hot
     * path reads the clock, reads the state and does one CAS: either to (now, 0) when the wall clock moved on,
     * or to (tick, seq + 1) within the tick. Everything else (waiting, logical lead, lease extension, failure)
     * goes through reserve(), off the hot path. Ids are composed from the state with shifts, so an id is a
     * function of the state and the state only grows: no duplicate and no smaller id.
     *
     * grantedTick is the last tick the lease allows (capped by the layout's last tick); it is only compared
     * with, and changes only in extend(), close() and revoke(). REVOKED and CLOSED lie below every tick, so the
     * hot path refuses at once and the call goes to extend(), which throws. revoke() may run on any thread (the
     * lease's source closing or losing it) and takes no lock: it and extend() change grantedTick by CAS.
     * Statistics are counted only off the hot path: on a tick change the winner adds the ids of the tick it
     * leaves, and records the wall tick it read (wallHigh) so that the slow path can notice backward steps.
     */
    private static final long CLOSED = Long.MIN_VALUE;
    private static final long REVOKED = Long.MIN_VALUE + 1;
    /** Slack on top of the wait a call is allowed, for the wall clock's granularity. */
    static final long WAIT_GRACE_MILLIS = 20;
    private static final VarHandle GRANTED;

    static {
        try {
            GRANTED = MethodHandles.lookup().findVarHandle(AtomicSnowflake.class, "grantedTick", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SnowflakeLayout layout;
    private final InstantSource clock;
    private final LongConsumer parker;
    private final LongSupplier ticker;
    private final WorkerIdLease lease;
    private final long nodeId;
    private final long placedNode;
    private final long epochMillis;
    private final long tickMillis;
    private final int seqBits;
    private final long seqMask;
    private final int tsShift;
    private final int seqShift;
    private final long maxTick;
    private final long maxLeadTicks;
    private final long maxWaitMillis;

    private final AtomicLong state;
    private volatile long grantedTick = -1;

    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong clockBackwards = new AtomicLong();
    private final AtomicLong clockFailures = new AtomicLong();
    private final AtomicLong ticksWaited = new AtomicLong();
    /** The highest wall-clock tick known to have been read (racy, may lag: it never makes a step up). */
    private volatile long wallHigh = Long.MIN_VALUE;
    /** The backward step counted last: the high-water it stepped back from, and the latest reading below it. */
    private final Object stepLock = new Object();
    private volatile long stepHigh = Long.MIN_VALUE;
    private volatile long stepLast = Long.MIN_VALUE;

    AtomicSnowflake(SnowflakeGenerator.Builder b, WorkerIdLease lease) {
        this.layout = b.layout;
        this.clock = b.clock;
        this.parker = b.parker;
        this.ticker = b.ticker;
        this.lease = lease;
        this.nodeId = lease.nodeId();
        if (nodeId < 0 || nodeId > layout.maxNodeId()) {
            lease.close();
            throw new WorkerIdUnavailableException("node id was " + nodeId + " but must be in [0, "
                    + layout.maxNodeId() + "] for " + layout);
        }
        this.placedNode = layout.placeNodeId(nodeId);
        this.epochMillis = layout.epoch().toEpochMilli();
        this.tickMillis = layout.tick().toMillis();
        this.seqBits = layout.sequenceField().bits();
        this.seqMask = layout.sequenceField().maxValue();
        this.tsShift = layout.timestampField().shift();
        this.seqShift = layout.sequenceField().shift();
        this.maxTick = layout.timestampField().maxValue();
        this.maxLeadTicks = b.clockSafety.maxLead().toMillis() / tickMillis;
        this.maxWaitMillis = b.clockSafety.maxWait().toMillis();

        long startTick = 0;
        long issuedUpTo = lease.issuedUpToMillis();
        if (issuedUpTo != Long.MIN_VALUE && issuedUpTo >= epochMillis) {
            startTick = layout.tickOf(issuedUpTo);
        }
        if (startTick > maxTick) {
            lease.close();
            throw new IllegalStateException("ids of node " + nodeId + " were issued up to " + issuedUpTo
                    + " ms, past the layout's last timestamp " + layout.maxTimestamp());
        }
        this.state = new AtomicLong((startTick << seqBits) | seqMask);
        completed.set(-(seqMask + 1));
        lease.onRevoke(this::revoke);
    }

    private long nowTick() {
        return tickOfMillis(clock.millis());
    }

    @Override
    public long nextId() {
        long now = nowTick();
        for (;;) {
            long s = state.get();
            long last = s >>> seqBits;
            if (now > last) {
                if (now > grantedTick) {
                    break;
                }
                if (state.compareAndSet(s, now << seqBits)) {
                    completed.getAndAdd((s & seqMask) + 1);
                    wallHigh = now;
                    return (now << tsShift) | placedNode;
                }
            } else if (now == last && (s & seqMask) != seqMask && now <= grantedTick) {
                if (state.compareAndSet(s, s + 1)) {
                    return (now << tsShift) | (((s & seqMask) + 1) << seqShift) | placedNode;
                }
            } else {
                break;
            }
            // Lost a race: retry with the same clock reading, which is still a valid lower bound of the time.
            Thread.onSpinWait();
        }
        long next = reserve(1, null, 0);
        return compose(next >>> seqBits, next & seqMask);
    }

    @Override
    public long[] nextIds(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count was " + count + " but must be at least 1");
        }
        long[] ids = new long[count];
        int filled = 0;
        while (filled < count) {
            filled += (int) reserve(count - filled, ids, filled);
        }
        return ids;
    }

    private long compose(long tick, long seq) {
        return (tick << tsShift) | (seq << seqShift) | placedNode;
    }

    /**
     * Reserves up to {@code want} ids, all in one tick, in one CAS. Returns the new state; or, if {@code out}
     * is not null, writes the ids reserved to {@code out[off...]} and returns how many.
     */
    private long reserve(int want, long[] out, int off) {
        for (;;) {
            long now = tickOfMillis(readClock());
            long s = state.get();
            long last = s >>> seqBits;
            long seq = s & seqMask;
            long tick;
            long first;
            if (now > last) {
                tick = now;
                first = 0;
            } else if (seq != seqMask) {
                tick = last;
                first = seq + 1;
            } else {
                tick = last + 1;
                first = 0;
            }
            long lead = tick - now;
            if (lead > maxLeadTicks) {
                awaitClock(now, last, tick - maxLeadTicks);
                continue;
            }
            if (tick > grantedTick) {
                extend(tick);
                continue;
            }
            long n = Math.min(want, seqMask - first + 1);
            long next = (tick << seqBits) | (first + n - 1);
            if (state.compareAndSet(s, next)) {
                if (tick != last) {
                    completed.getAndAdd(seq + 1);
                }
                if (out == null) {
                    return next;
                }
                for (int i = 0; i < n; i++) {
                    out[off + i] = compose(tick, first + i);
                }
                return n;
            }
        }
    }

    private long tickOfMillis(long millis) {
        long ms = millis - epochMillis;
        return tickMillis == 1 ? ms : Math.floorDiv(ms, tickMillis);
    }

    /**
     * Reads the wall clock (ms) on the slow path and counts a backward step when it is behind a tick read before.
     * Each step is counted once: by the first call that sees the clock below the high-water mark, or below the last
     * reading of an earlier step. Such a reading is taken again under a lock, so the readings compared are ordered
     * in time and a race between callers is not mistaken for a step. Returns the reading the caller must use.
     */
    private long readClock() {
        long millis = clock.millis();
        long tick = tickOfMillis(millis);
        long high = wallHigh;
        if (tick >= high) {
            if (tick > high) {
                wallHigh = tick;
            }
            return millis;
        }
        if (high == stepHigh && tick >= stepLast) {
            return millis;
        }
        synchronized (stepLock) {
            // High-water first, then the clock: a tick below it was read after the reading that set it.
            high = wallHigh;
            millis = clock.millis();
            tick = tickOfMillis(millis);
            if (tick >= high) {
                return millis;
            }
            if (high != stepHigh || tick < stepLast) {
                clockBackwards.incrementAndGet();
            }
            stepHigh = high;
            stepLast = tick;
            return millis;
        }
    }

    /**
     * Waits until the wall clock reaches {@code target}, or throws if that is a backward step too large, or if the
     * clock does not get there within the wait allowed at the start (plus {@link #WAIT_GRACE_MILLIS}): a clock that
     * steps back again, or stalls, during the wait fails the call instead of stalling it without bound.
     */
    private void awaitClock(long now, long last, long target) {
        long waitTicks = target - now;
        long waitMillis = waitTicks * tickMillis;
        if (now < last - maxLeadTicks && waitTicks > 1 && waitMillis > maxWaitMillis) {
            clockFailures.incrementAndGet();
            throw new ClockMovedBackwardsException(waitMillis, "clock moved backwards: the wall clock"
                    + " is at " + clock.instant() + ", " + (last - now) * tickMillis + " ms behind the last id's"
                    + " timestamp " + java.time.Instant.ofEpochMilli(layout.startMillisOf(last))
                    + "; issuing an id needs a wait of " + waitMillis + " ms, more than maxWait "
                    + maxWaitMillis + " ms (maxLead " + maxLeadTicks * tickMillis + " ms)");
        }
        ticksWaited.addAndGet(waitTicks);
        long allowedMillis = Math.max(maxWaitMillis, waitMillis);
        long budget = toNanos(allowedMillis + WAIT_GRACE_MILLIS);
        long start = ticker.getAsLong();
        long targetMillis = epochMillis + target * tickMillis;
        for (;;) {
            long wall = readClock();
            long remaining = targetMillis - wall;
            if (remaining <= 0) {
                return;
            }
            long left = budget - (ticker.getAsLong() - start);
            if (toNanos(remaining) > left) {
                clockFailures.incrementAndGet();
                throw new ClockMovedBackwardsException(remaining, "clock moved backwards during a wait: the wall"
                        + " clock is at " + java.time.Instant.ofEpochMilli(wall) + ", still " + remaining
                        + " ms short of the timestamp the next id needs, "
                        + java.time.Instant.ofEpochMilli(targetMillis) + ", and cannot get there within the "
                        + allowedMillis + " ms (+ " + WAIT_GRACE_MILLIS + " ms grace) the call may wait (maxWait "
                        + maxWaitMillis + " ms)");
            }
            if (remaining > 2) {
                parker.accept(Math.min(remaining - 1, 50) * 1_000_000L);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private static long toNanos(long millis) {
        return millis >= Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : millis * 1_000_000L;
    }

    /** The lease ended without this generator closing it: refuse further ids at once. Lock-free, idempotent. */
    private void revoke() {
        for (;;) {
            long g = grantedTick;
            if (g == CLOSED || g == REVOKED || GRANTED.compareAndSet(this, g, REVOKED)) {
                return;
            }
        }
    }

    private synchronized void extend(long tick) {
        long granted = grantedTick;
        if (granted == CLOSED) {
            throw new IllegalStateException("generator for node " + nodeId + " is closed");
        }
        if (granted == REVOKED) {
            // The lease says why (and a lease that ended must refuse); if it does not, say it here.
            lease.extend(layout.startMillisOf(tick));
            throw new WorkerIdUnavailableException("the lease of node id " + nodeId + " ended (revoked by its"
                    + " source)");
        }
        if (tick <= granted) {
            return;
        }
        if (tick > maxTick) {
            throw new IllegalStateException("the layout's timestamp field is used up: its last timestamp is "
                    + layout.maxTimestamp() + " (" + layout + ")");
        }
        long wanted = layout.startMillisOf(tick);
        long allowed = lease.extend(wanted);
        if (allowed < wanted) {
            throw new WorkerIdUnavailableException("the lease of node id " + nodeId + " allows timestamps up to "
                    + allowed + " ms but the next id needs " + wanted + " ms");
        }
        long allowedTick = allowed == Long.MAX_VALUE ? maxTick : Math.min(maxTick, layout.tickOf(allowed));
        if (!GRANTED.compareAndSet(this, granted, allowedTick)) {
            // Revoked meanwhile (close() holds this lock, so it cannot have been closed).
            throw new WorkerIdUnavailableException("the lease of node id " + nodeId + " ended (revoked by its"
                    + " source)");
        }
    }

    @Override
    public SnowflakeLayout layout() {
        return layout;
    }

    @Override
    public long nodeId() {
        return nodeId;
    }

    @Override
    public Stats stats() {
        long s = state.get();
        long last = s >>> seqBits;
        long issued = completed.get() + (s & seqMask) + 1;
        long lead = Math.max(0, last - nowTick()) * tickMillis;
        return new Stats(Math.max(0, issued), clockBackwards.get(), clockFailures.get(), ticksWaited.get(),
                Duration.ofMillis(lead));
    }

    @Override
    public synchronized void close() {
        if (grantedTick != CLOSED) {
            grantedTick = CLOSED;
            lease.close();
        }
    }

    @Override
    public String toString() {
        return "SnowflakeGenerator{node=" + nodeId + ", " + layout + "}";
    }
}
