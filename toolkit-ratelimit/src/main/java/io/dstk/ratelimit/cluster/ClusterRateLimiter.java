package io.dstk.ratelimit.cluster;

import io.dstk.membership.Cluster;
import java.time.Duration;

/**
 * One rate limit per key enforced across all members of a {@link Cluster}: {@code limit} permits per
 * {@code period} (refilled continuously, bursts up to {@code capacity}) for the whole cluster, however the calls
 * are spread over the members.
 *
 * <pre>{@code
 * ClusterRateLimiter limiter = ClusterRateLimiter.builder(cluster, "api", 1000, Duration.ofSeconds(1))
 *         .expectedMembers(3)
 *         .build();
 * if (limiter.tryAcquire("customer-42")) {
 *     // serve
 * }
 * }</pre>
 *
 * <h2>Strategies</h2>
 * <ul>
 *   <li>{@link Strategy#LEASED_TOKENS} (default): the key's owner on the consistent-hash ring of the members keeps
 *   the key's token bucket and hands out batches of permits (leases) to the members that ask; every decision is
 *   taken locally from the member's lease, so {@code tryAcquire} never waits for the network. A member asks for
 *   the next batch in the background when its lease runs low; the batch size follows the member's demand (up to
 *   {@code maxBatch}). Unused permits expire with the lease ({@code leaseTtl}). When the owner of a key changes
 *   (join, leave, crash) the new owner starts with an empty bucket. <b>Bound:</b> over any window of length
 *   {@code T}, the members admit at most {@code capacity + rate * T + L} permits for one key, where {@code L}
 *   is the number of permits outstanding in leases when the window starts, at most
 *   {@code members * maxBatch}; see {@link #overAdmissionBound(int)}. Accuracy is paid for by admitting a little
 *   less than the limit: permits left in a lease when it expires are lost.</li>
 *   <li>{@link Strategy#EVEN_SPLIT}: every member enforces {@code limit / N} locally ({@code N} = members in the
 *   view, or {@code expectedMembers} if larger), rebalanced on every view change. Never over the limit and no
 *   messages at all, but inaccurate under skew: a member that gets more than {@code 1/N} of the traffic is
 *   limited early while the others' shares go unused.</li>
 * </ul>
 *
 * <h2>Unreachable owner</h2>
 * When a lease request fails (timeout, open circuit breaker, owner gone from the view) the member decides by
 * {@link OwnerUnreachable} until the owner answers again: admit everything, deny everything, or enforce its even
 * share locally (default). Timeouts, retries and the circuit breaker come from the {@code RequestPolicy} given to
 * the builder.
 *
 * <h2>Partitions</h2>
 * With {@code expectedMembers(n)}, each side of a partition scales the limit down to its share of the expected
 * members ({@code members in view / n}), so the sides together never admit more than the limit. The members
 * cannot tell a partition from a crash: after a crash the survivors keep only their share until the member
 * returns or {@code expectedMembers} is lowered. The side with quorum scales too: it cannot tell partitioned
 * members (admitting their share) from crashed ones, and the full limit on a majority of {@code k} plus the share
 * {@code (n - k) / n} on the minority would exceed the limit; {@code k / n} is the most it may keep. Without
 * {@code expectedMembers}, each side enforces the full limit.
 *
 * <h2>Thread safety and lifecycle</h2>
 * Thread safe. {@link #close()} is idempotent and stops serving leases; calls after it are denied.
 */
public interface ClusterRateLimiter extends AutoCloseable {

    /** How the limit is shared by the members; see {@link ClusterRateLimiter}. */
    enum Strategy {
        /** The key's owner hands out batches of permits; decisions are local. */
        LEASED_TOKENS,
        /** Each member enforces {@code limit / N} locally. */
        EVEN_SPLIT
    }

    /** What a member decides while the owner of a key cannot be reached. */
    enum OwnerUnreachable {
        /** Admit every call (availability first; the limit is not enforced). */
        FAIL_OPEN,
        /** Deny every call that the remaining lease does not cover. */
        FAIL_CLOSED,
        /** Enforce this member's even share of the limit locally (the default). */
        LOCAL_FALLBACK
    }

    /**
     * Takes one permit for {@code key} if the cluster-wide limit allows it. Never blocks.
     *
     * @param key the key, not null
     * @return whether the call is admitted
     * @throws NullPointerException if {@code key} is null
     */
    boolean tryAcquire(String key);

    /**
     * Takes {@code permits} for {@code key} (all or nothing) if the cluster-wide limit allows it. Never blocks.
     * With leased tokens, a call for more than {@code maxBatch} permits is admitted only by the
     * {@link OwnerUnreachable} policy: a member never holds more than {@code maxBatch} for one key.
     *
     * @param key     the key, not null
     * @param permits at least 1
     * @return whether the call is admitted
     * @throws NullPointerException     if {@code key} is null
     * @throws IllegalArgumentException if {@code permits} is not positive
     */
    boolean tryAcquire(String key, int permits);

    /**
     * Returns the most permits the members may admit for one key over a window of {@code window} when the
     * leased-token strategy runs on {@code members} members: {@code capacity + rate * window + members *
     * maxBatch}. (The even split stays within {@code capacity + rate * window}.)
     *
     * @param members the number of members
     * @param window  the window length
     * @return the bound in permits
     */
    long overAdmissionBound(int members, Duration window);

    /**
     * Returns the bound for a window of length 0; see {@link #overAdmissionBound(int, Duration)}.
     *
     * @param members the number of members
     * @return {@code capacity + members * maxBatch}
     */
    default long overAdmissionBound(int members) {
        return overAdmissionBound(members, Duration.ZERO);
    }

    /**
     * Returns counters since this limiter was built.
     *
     * @return a snapshot
     */
    ClusterRateLimiterStats stats();

    /** Stops serving leases and unregisters from the cluster. Idempotent; the cluster stays open. */
    @Override
    void close();

    /**
     * Starts a cluster rate limiter. Every member builds one with the same name and settings.
     *
     * @param cluster the cluster this member belongs to
     * @param name    the limiter's name, 1..64 characters of {@code [A-Za-z0-9._-]}; members meet by it
     * @param limit   permits per period for the whole cluster, at least 1
     * @param period  the period, positive
     * @return a builder
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code name}, {@code limit} or {@code period} is invalid
     */
    static ClusterRateLimiterBuilder builder(Cluster cluster, String name, long limit, Duration period) {
        return new ClusterRateLimiterBuilder(cluster, name, limit, period);
    }
}
