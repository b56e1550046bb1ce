package io.dstk.idgen.cluster;

import io.dstk.idgen.ClockSafety;
import io.dstk.idgen.SnowflakeLayout;
import io.dstk.idgen.WorkerIdLease;
import io.dstk.idgen.WorkerIdSource;
import io.dstk.idgen.WorkerIdUnavailableException;
import io.dstk.store.ClusterStore;
import io.dstk.store.Lease;
import io.dstk.store.StoreException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * A {@link WorkerIdSource} that leases worker (node) ids from a {@link ClusterStore}: each id is a lease of the
 * store, so two live holders never share one, and an id whose holder died is given out again once it is safe.
 *
 * <pre>{@code
 * try (ClusterWorkerIdSource workerIds = ClusterWorkerIdSource.builder(store).group("orders").build();
 *      SnowflakeGenerator ids = IdGenerator.snowflake(SnowflakeLayout.twitter()).workerIds(workerIds).build()) {
 *     long id = ids.nextId();
 * }
 * }</pre>
 *
 * <p><b>The three bounds.</b>
 * <ul>
 *   <li>{@code leaseTtl} (default 10 s): each grant or renewal lasts this long by the store leader's clock; the
 *       holder renews every third of it.</li>
 *   <li>{@code maxClockDrift} (default 200 ms, and never less than the store's
 *       {@link io.dstk.store.StoreConfig#maxClockDrift()}): the most any two members' wall clocks may differ, and the
 *       most the holder's and the leader's clocks may drift apart over one TTL. The holder reads its monotonic clock
 *       {@code s} before sending a grant or renewal and <b>stops issuing ids at {@code s + leaseTtl - maxClockDrift}</b>
 *       — before the store can grant the id to anyone else.</li>
 *   <li>{@code maxLogicalClockLead} (default 1 s): how far ahead of its wall clock a generator's ids may run
 *       ({@link ClockSafety#maxLead()} of every generator using this source must not exceed it; a generator asking
 *       for more is refused with {@link WorkerIdUnavailableException}).</li>
 * </ul>
 *
 * <p><b>Quarantine.</b> An id that had an earlier holder (lease epoch above 1) is used by its new holder only after
 * the old lease ended + {@code q}, where {@code q = max(maxLogicalClockLead, CHECK_INTERVAL_MILLIS) + maxClockDrift}:
 * the store grants it at the earliest when the old lease expired or was released, and {@link #acquire(SnowflakeLayout)}
 * then waits out {@code q} and starts the generator's ids after its wall clock plus {@code q}
 * ({@link WorkerIdLease#issuedUpToMillis()}). The old holder's ids carry timestamps at most up to its deadline (below
 * the expiry) or, if it released the id early (close), up to what it was last granted: at most
 * {@code max(maxLogicalClockLead, CHECK_INTERVAL_MILLIS)} past its wall clock at the release. So every id timestamp of
 * the new holder is larger than every id timestamp of the old one, and their ids cannot collide, whatever the
 * configuration (also with {@code maxLogicalClockLead} and {@code maxClockDrift} zero).
 *
 * <p><b>Validity before issuing.</b> {@link WorkerIdLease#extend(long)} checks the holder's deadline against its
 * monotonic clock and grants at most {@value #CHECK_INTERVAL_MILLIS} ms of timestamps at a time (never beyond the
 * deadline), so a generator asks again at least that often: after a pause (GC, {@code kill -STOP}) past the deadline,
 * the next id fails with {@link WorkerIdUnavailableException} instead of being issued.
 *
 * <p><b>Choosing an id.</b> Ids are scanned from a preferred start, the CRC-32 of the node name modulo the number of
 * ids, and the first one free is taken. A grant costs {@code k + 1} store commands ({@code tryAcquire}), where
 * {@code k} is the number of held ids met before a free one (at most the number of ids, see
 * {@link Builder#maxWorkerIds(int)}); each held id then costs one renewal per {@code leaseTtl / 3} and one release on
 * close. Nothing else is sent.
 *
 * <p><b>Partitions and failures.</b> Grants need the store's quorum: on a minority side, {@code acquire} fails at once
 * with {@link WorkerIdUnavailableException} (cause: the store's {@code NoQuorumException}). Holders on that side keep
 * issuing until their deadline; their renewals fail and the generator then fails. When every id is held, {@code acquire}
 * fails with {@link WorkerIdUnavailableException} rather than share an id. A lost lease is never taken back: build a
 * new generator (which acquires a new lease).
 *
 * <p><b>Assumption.</b> The store keeps its state (a majority of voters survives); one group is one id space: use a
 * group per layout.
 *
 * <p>Thread-safe. {@link #close()} releases every lease still held, fails their generators and stops the renewals;
 * it is idempotent.
 */
public final class ClusterWorkerIdSource implements WorkerIdSource, AutoCloseable {
    /** Longest span of timestamps one {@link WorkerIdLease#extend(long)} grants. */
    public static final long CHECK_INTERVAL_MILLIS = 50;

    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final ClusterStore store;
    private final String group;
    private final String nodeName;
    private final Duration leaseTtl;
    private final long ttlNanos;
    private final long driftNanos;
    private final long leadNanos;
    private final int maxWorkerIds;
    private final InstantSource clock;
    private final LongSupplier ticker;
    private final LongConsumer parker;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final Set<ClusterLease> held = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    final AtomicLong grants = new AtomicLong();
    final AtomicLong renewals = new AtomicLong();
    final AtomicLong renewalFailures = new AtomicLong();
    final AtomicLong losses = new AtomicLong();

    private ClusterWorkerIdSource(Builder b) {
        this.store = b.store;
        this.group = b.group;
        String holder = store.holderId();
        int hash = holder.indexOf('#');
        this.nodeName = b.nodeName != null ? b.nodeName : hash > 0 ? holder.substring(0, hash) : holder;
        this.leaseTtl = b.leaseTtl;
        this.ttlNanos = b.leaseTtl.toNanos();
        this.driftNanos = Math.max(b.maxClockDrift.toNanos(), store.config().maxClockDrift().toNanos());
        this.leadNanos = b.maxLogicalClockLead.toNanos();
        this.maxWorkerIds = b.maxWorkerIds;
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.parker = b.parker;
        this.ownScheduler = b.scheduler == null;
        this.scheduler = ownScheduler ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dstk-idgen-lease-renewal-" + group);
            t.setDaemon(true);
            return t;
        }) : b.scheduler;
    }

    /**
     * Starts configuring a source on a store.
     *
     * @param store the store the leases live in; opened by the caller, and closed after this source
     * @return a builder
     * @throws NullPointerException if {@code store} is null
     */
    public static Builder builder(ClusterStore store) {
        return new Builder(store);
    }

    /**
     * Leases a free worker id: scans from the preferred start and takes the first free one (see the class comment),
     * then waits out the quarantine if the id had an earlier holder.
     *
     * @param layout the layout; ids are taken from {@code [0, min(layout.maxNodeId(), maxWorkerIds - 1)]}
     * @return the lease; closing it releases the id
     * @throws WorkerIdUnavailableException if every id is held, the store has no quorum or does not answer, this
     *         source is closed, or the thread is interrupted during the quarantine wait (the interrupt stays set)
     */
    @Override
    public WorkerIdLease acquire(SnowflakeLayout layout) {
        Objects.requireNonNull(layout, "layout");
        if (closed) {
            throw new WorkerIdUnavailableException("worker-id source of group " + group + " is closed");
        }
        long count = Math.min(layout.maxNodeId() + 1, maxWorkerIds);
        long start = preferredStart(count);
        for (long i = 0; i < count; i++) {
            long id = (start + i) % count;
            long sent = ticker.getAsLong();
            Optional<Lease> lease;
            try {
                lease = store.tryAcquire(leaseName(id), leaseTtl);
            } catch (StoreException e) {
                throw new WorkerIdUnavailableException("cannot lease a worker id of group " + group + ": "
                        + e.getMessage(), e);
            }
            if (lease.isPresent()) {
                return grant(id, lease.get(), sent);
            }
        }
        throw new WorkerIdUnavailableException("all " + count + " worker ids of group " + group
                + " are held (by live members, or by members whose leases have not expired yet): "
                + "no id is shared, so none can be given to " + nodeName);
    }

    private WorkerIdLease grant(long id, Lease storeLease, long sent) {
        ClusterLease lease = new ClusterLease(this, id, storeLease, sent + ttlNanos - driftNanos);
        grants.incrementAndGet();
        held.add(lease);
        lease.scheduleRenewal(ttlNanos / 3);
        if (closed) {
            lease.close();
            throw new WorkerIdUnavailableException("worker-id source of group " + group + " is closed");
        }
        if (storeLease.epoch() > 1) {
            // The id had a holder: its ids may carry timestamps up to its expiry + lead (+ drift between clocks); one
            // that released early (closed) may use what its last extend() granted: up to max(lead, check interval)
            // past its wall clock at that moment.
            long quarantine = Math.max(leadNanos, CHECK_INTERVAL_MILLIS * 1_000_000L) + driftNanos;
            long end = ticker.getAsLong() + quarantine;
            lease.setIssuedUpTo(clock.millis() + Math.floorDiv(quarantine, 1_000_000L) + 1);
            for (long left = end - ticker.getAsLong(); left > 0; left = end - ticker.getAsLong()) {
                if (Thread.currentThread().isInterrupted()) {
                    lease.close();
                    throw new WorkerIdUnavailableException("interrupted while waiting out the quarantine of worker id "
                            + id + " of group " + group);
                }
                parker.accept(left);
            }
        }
        return lease;
    }

    private long preferredStart(long count) {
        CRC32 crc = new CRC32();
        crc.update(nodeName.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() % count;
    }

    String leaseName(long id) {
        return "dstk.idgen." + group + "." + id;
    }

    void released(ClusterLease lease) {
        held.remove(lease);
    }

    ClusterStore store() {
        return store;
    }

    InstantSource clock() {
        return clock;
    }

    LongSupplier ticker() {
        return ticker;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    long ttlNanos() {
        return ttlNanos;
    }

    long driftNanos() {
        return driftNanos;
    }

    long leadMillis() {
        return leadNanos / 1_000_000L;
    }

    Duration leaseTtl() {
        return leaseTtl;
    }

    /** @return the group: the id space, part of every lease name */
    public String group() {
        return group;
    }

    /**
     * Counters of this source, cheap to read.
     *
     * @return a snapshot
     */
    public Stats stats() {
        return new Stats(grants.get(), renewals.get(), renewalFailures.get(), losses.get(), held.size());
    }

    /**
     * Releases every lease still held and stops renewing. Their generators fail from then on with
     * {@link WorkerIdUnavailableException}: each lease revokes its generator's grant before it is released (a call
     * that was already issuing an id may still return it; the next holder's quarantine covers its timestamp).
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ClusterLease l : held.toArray(ClusterLease[]::new)) {
            l.close();
        }
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "ClusterWorkerIdSource{group=" + group + ", node=" + nodeName + ", ttl=" + leaseTtl + ", drift="
                + Duration.ofNanos(driftNanos) + ", lead=" + Duration.ofNanos(leadNanos) + "}";
    }

    /**
     * Counters of a source, taken at one moment.
     *
     * @param grants          worker ids leased
     * @param renewals        renewals the store accepted
     * @param renewalFailures renewals that failed without losing the lease yet (no quorum, timeout); retried
     * @param losses          leases lost before they were closed: the deadline passed without a renewal, or the store
     *                        refused a renewal
     * @param held            leases held now
     */
    public record Stats(long grants, long renewals, long renewalFailures, long losses, int held) {
    }

    /**
     * Configures a {@link ClusterWorkerIdSource}. Defaults: group {@code "default"}, {@code leaseTtl} 10 s,
     * {@code maxClockDrift} 200 ms, {@code maxLogicalClockLead} 1 s, at most 1024 ids, the node name from the store's
     * holder id, system clocks and an own daemon thread for renewals. Not thread-safe.
     */
    public static final class Builder {
        private final ClusterStore store;
        private String group = "default";
        private String nodeName;
        private Duration leaseTtl = Duration.ofSeconds(10);
        private Duration maxClockDrift = Duration.ofMillis(200);
        private Duration maxLogicalClockLead = Duration.ofSeconds(1);
        private int maxWorkerIds = 1024;
        private InstantSource clock = InstantSource.system();
        private LongSupplier ticker = System::nanoTime;
        private LongConsumer parker = LockSupport::parkNanos;
        private ScheduledExecutorService scheduler;

        Builder(ClusterStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * Sets the group: one id space; generators of different groups may share ids. Default {@code "default"}.
         *
         * @param group 1..64 characters of {@code [A-Za-z0-9._-]}
         * @return this builder
         * @throws IllegalArgumentException if {@code group} is malformed
         */
        public Builder group(String group) {
            Objects.requireNonNull(group, "group");
            if (!GROUP.matcher(group).matches()) {
                throw new IllegalArgumentException("group was '" + group
                        + "' but must be 1..64 characters of [A-Za-z0-9._-]");
            }
            this.group = group;
            return this;
        }

        /**
         * Sets the name whose hash picks the first id tried; default the store's holder id up to its {@code '#'}
         * (the member's node name).
         *
         * @param nodeName the name
         * @return this builder
         */
        public Builder nodeName(String nodeName) {
            this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
            return this;
        }

        /**
         * Sets how long a grant or renewal lasts; default 10 s. Must lie within the store's TTL bounds and exceed
         * three times {@code maxClockDrift} (checked at {@link #build()}).
         *
         * @param leaseTtl the TTL
         * @return this builder
         */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = positive("leaseTtl", leaseTtl);
            return this;
        }

        /**
         * Sets the most any two members' wall clocks differ (and clock rates drift over one TTL); default 200 ms.
         * The store's own {@code maxClockDrift} is used if larger.
         *
         * @param maxClockDrift the bound, zero or more
         * @return this builder
         */
        public Builder maxClockDrift(Duration maxClockDrift) {
            this.maxClockDrift = notNegative("maxClockDrift", maxClockDrift);
            return this;
        }

        /**
         * Sets how far ahead of the wall clock ids may run: at least the {@link ClockSafety#maxLead()} of every
         * generator using this source; default 1 s.
         *
         * @param maxLogicalClockLead the bound, zero or more
         * @return this builder
         */
        public Builder maxLogicalClockLead(Duration maxLogicalClockLead) {
            this.maxLogicalClockLead = notNegative("maxLogicalClockLead", maxLogicalClockLead);
            return this;
        }

        /**
         * Caps the ids used to {@code [0, maxWorkerIds - 1]} (and the layout's node ids); default 1024. Also caps the
         * store commands of one grant.
         *
         * @param maxWorkerIds 1 or more
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxWorkerIds(int maxWorkerIds) {
            if (maxWorkerIds < 1) {
                throw new IllegalArgumentException("maxWorkerIds was " + maxWorkerIds + " but must be at least 1");
            }
            this.maxWorkerIds = maxWorkerIds;
            return this;
        }

        /**
         * Sets the wall clock ids are compared with; default {@link InstantSource#system()}. Use the generator's.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the monotonic clock in nanoseconds the holder's deadline is kept with; default
         * {@code System::nanoTime}.
         *
         * @param ticker the ticker
         * @return this builder
         */
        public Builder ticker(LongSupplier ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Sets how the quarantine wait pauses for the given nanoseconds; default {@link LockSupport#parkNanos(long)}.
         *
         * @param parker the parker
         * @return this builder
         */
        public Builder parker(LongConsumer parker) {
            this.parker = Objects.requireNonNull(parker, "parker");
            return this;
        }

        /**
         * Sets the executor that runs renewals (not shut down by the source); default an own daemon thread named
         * {@code dstk-idgen-lease-renewal-<group>}, stopped by {@link ClusterWorkerIdSource#close()}.
         *
         * @param scheduler the executor
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Builds the source (no store command is sent yet).
         *
         * @return the source
         * @throws IllegalArgumentException if {@code leaseTtl} is outside the store's TTL bounds or not above three
         *         times the clock drift
         */
        public ClusterWorkerIdSource build() {
            Duration storeDrift = store.config().maxClockDrift();
            Duration drift = maxClockDrift.compareTo(storeDrift) >= 0 ? maxClockDrift : storeDrift;
            if (leaseTtl.compareTo(store.config().minTtl()) < 0 || leaseTtl.compareTo(store.config().maxTtl()) > 0) {
                throw new IllegalArgumentException("leaseTtl was " + leaseTtl + " but must be within the store's TTL"
                        + " bounds [" + store.config().minTtl() + ", " + store.config().maxTtl() + "]");
            }
            if (leaseTtl.compareTo(drift.multipliedBy(3)) <= 0) {
                throw new IllegalArgumentException("leaseTtl was " + leaseTtl + " but must be above 3 x maxClockDrift ("
                        + drift + ")");
            }
            return new ClusterWorkerIdSource(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " was " + d + " but must be positive");
            }
            return d;
        }

        private static Duration notNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " was " + d + " but must not be negative");
            }
            return d;
        }
    }
}
