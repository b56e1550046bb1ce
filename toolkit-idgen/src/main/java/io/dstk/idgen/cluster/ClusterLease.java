package io.dstk.idgen.cluster;

import io.dstk.idgen.WorkerIdLease;
import io.dstk.idgen.WorkerIdUnavailableException;
import io.dstk.store.Lease;
import io.dstk.store.LeaseLostException;

import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One leased worker id: the holder's deadline by its monotonic clock, renewals, and the limits handed to the
 * generator.
 */
final class ClusterLease implements WorkerIdLease {
    /*
     * deadline = s + ttl - drift for the send time s of the last accepted grant or renewal. Once lost or closed the
     * lease stays so (the flag is sticky; a late successful renewal does not revive it). extend() grants the
     * generator at most CHECK_INTERVAL_MILLIS of wall-clock timestamps, never past the deadline, so the generator
     * comes back here (a local check, no store command) at least that often. So a timestamp granted lies at most
     * max(CHECK_INTERVAL_MILLIS, maxLogicalClockLead) past the holder's wall clock at the grant, and never past its
     * deadline: a holder that releases early (close) is covered by the next holder's quarantine, which is at least
     * that long, and one that expires never issues past its deadline. When the lease ends (closed or lost), the
     * generator's grant is revoked at once (onRevoke), outside this object's lock: the generator's extend() holds
     * its own lock while it calls in here.
     */
    private final ClusterWorkerIdSource source;
    private final long nodeId;
    private final Lease lease;
    private volatile long deadline;
    private volatile long issuedUpTo = Long.MIN_VALUE;
    private volatile boolean done;
    private volatile String why;
    private final AtomicReference<Runnable> revoker = new AtomicReference<>();

    ClusterLease(ClusterWorkerIdSource source, long nodeId, Lease lease, long deadline) {
        this.source = source;
        this.nodeId = nodeId;
        this.lease = lease;
        this.deadline = deadline;
    }

    void setIssuedUpTo(long millis) {
        this.issuedUpTo = millis;
    }

    /** @return the store lease's epoch (its fencing token) */
    long epoch() {
        return lease.epoch();
    }

    @Override
    public long nodeId() {
        return nodeId;
    }

    @Override
    public long issuedUpToMillis() {
        return issuedUpTo;
    }

    @Override
    public long extend(long wantedMillis) {
        if (done) {
            throw unavailable(why);
        }
        long left = deadline - source.ticker().getAsLong();
        if (left <= 0) {
            lose("its deadline passed without a renewal (store unreachable, no quorum, or a pause)");
            throw unavailable(why);
        }
        long wall = source.clock().millis();
        if (wantedMillis - wall > source.leadMillis()) {
            throw new WorkerIdUnavailableException("worker id " + nodeId + ": timestamp " + wantedMillis + " runs "
                    + (wantedMillis - wall) + " ms ahead of the clock, more than maxLogicalClockLead "
                    + source.leadMillis() + " ms");
        }
        long leftMillis = left / 1_000_000L;
        long limit = wall + Math.min(leftMillis, Math.max(ClusterWorkerIdSource.CHECK_INTERVAL_MILLIS,
                wantedMillis - wall));
        if (limit < wantedMillis) {
            throw new WorkerIdUnavailableException("worker id " + nodeId + ": its lease ends in " + leftMillis
                    + " ms, before timestamp " + wantedMillis);
        }
        return limit;
    }

    @Override
    public void onRevoke(Runnable action) {
        Objects.requireNonNull(action, "action");
        revoker.set(action);
        if (done) {
            revoke();
        }
    }

    private void revoke() {
        Runnable r = revoker.getAndSet(null);
        if (r != null) {
            r.run();
        }
    }

    private WorkerIdUnavailableException unavailable(String reason) {
        return new WorkerIdUnavailableException("worker id " + nodeId + " of group " + source.group()
                + " (epoch " + lease.epoch() + ") may no longer be used: " + reason);
    }

    void scheduleRenewal(long delayNanos) {
        if (done) {
            return;
        }
        try {
            source.scheduler().schedule(this::renew, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            lose("renewals stopped (the scheduler was shut down)");
        }
    }

    private void renew() {
        if (done) {
            return;
        }
        long sent = source.ticker().getAsLong();
        if (sent - deadline >= 0) {
            lose("its deadline passed without a renewal (store unreachable, no quorum, or a pause)");
            return;
        }
        lease.renewAsync(source.leaseTtl()).whenComplete((ok, e) -> {
            if (e == null) {
                if (!done) {
                    deadline = sent + source.ttlNanos() - source.driftNanos();
                    source.renewals.incrementAndGet();
                    scheduleRenewal(source.ttlNanos() / 3);
                }
                return;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof LeaseLostException) {
                lose("the store refused the renewal: " + cause.getMessage());
                return;
            }
            source.renewalFailures.incrementAndGet();
            long left = deadline - source.ticker().getAsLong();
            if (left <= 0) {
                lose("its deadline passed without a renewal: " + cause);
            } else {
                scheduleRenewal(Math.min(left, Math.max(source.ttlNanos() / 20, 1_000_000L)));
            }
        });
    }

    private void lose(String reason) {
        synchronized (this) {
            if (done) {
                return;
            }
            why = reason;
            done = true;
        }
        source.losses.incrementAndGet();
        source.released(this);
        revoke();
        try {
            // Never block the caller (a generator, or a store callback thread) on a store command.
            source.scheduler().execute(this::releaseQuietly);
        } catch (RejectedExecutionException e) {
            // Shut down: the lease expires by itself.
        }
    }

    private void releaseQuietly() {
        try {
            lease.release();
        } catch (RuntimeException e) {
            // The lease expires by itself; the next holder's quarantine covers us either way.
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (done) {
                return;
            }
            why = "it was closed";
            done = true;
        }
        source.released(this);
        revoke();
        releaseQuietly();
    }

    @Override
    public String toString() {
        return "ClusterLease{worker=" + nodeId + ", epoch=" + lease.epoch() + (done ? ", " + why : ", held") + "}";
    }
}
