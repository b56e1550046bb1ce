package io.dstk.ratelimit.cluster;

import io.dstk.membership.Cluster;
import io.dstk.ratelimit.RateLimitDecision;
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
 * // or, for an HTTP answer: wait up to 250 ms for a first lease, and get a Retry-After when refused
 * RateLimitDecision d = limiter.tryAcquireWithDecision("customer-42", 1, Duration.ofMillis(250));
 * }</pre>
 *
 * <h2>Strategies</h2>
 * <ul>
 *   <li>{@link Strategy#LEASED_TOKENS} (default): the key's owner on the consistent-hash ring of the members keeps
 *   the key's token bucket and hands out batches of permits (leases) to the members that ask; every decision is
 *   taken locally from the member's lease, so {@code tryAcquire} never waits for the network. A member asks for
 *   the next batch in the background when its lease runs low; the batch size follows the member's demand (up to
 *   {@code maxBatch}). Unused permits expire with the lease ({@code leaseTtl}).
 *   <p><b>A key's first bucket.</b> The owner creates a key's bucket when the key is first asked for. It starts
 *   as if it had been created <em>empty</em> {@code leaseTtl} after this member became the key's owner (on the
 *   last view change that gave it the key, or that added members, or when the limiter was built): with
 *   {@code min(capacity, rate * (now - ownerSince - leaseTtl))} tokens. So on an owner that has owned the key's
 *   place on the ring for {@code leaseTtl + capacity / rate}, a brand-new key gets its full capacity at once (as a
 *   local token bucket would); right after an ownership change (join, leave, crash, merge) the new owner starts
 *   empty and fills at the rate, so it never hands out a fresh burst while grants of the old owner may still be in
 *   use. The {@code leaseTtl} margin assumes the old owner installs the new view within {@code leaseTtl} of the
 *   new one (JGroups installs a join's view on the old members first).
 *   <p><b>Bound:</b> over any window of length {@code T}, the members admit at most
 *   {@code capacity + rate * T + L} permits for one key, where {@code L} is the number of permits outstanding in
 *   leases when the window starts, at most {@code members * maxBatch}; see {@link #overAdmissionBound(int)}. (Each
 *   owner's bucket behaves as one created empty no earlier than the previous owner's last grant, so the owners
 *   together grant at most {@code capacity + rate * T} in the window.) Accuracy is paid for by admitting a little
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
     * Takes {@code permits} for {@code key} like {@link #tryAcquire(String, int)} and reports what this member
     * knows, for an HTTP {@code 429} answer. Never blocks; allocates one small object.
     *
     * <p>With leased tokens: {@code limit} is the capacity; {@code remaining} is what is left in this member's
     * batch for the key (other members hold their own); when denied, {@code retryAfter} is an <em>estimate</em>:
     * the time until the rest of the last short lease is there, as the owner said, if that is still ahead;
     * otherwise the missing permits at the refill rate (of this side of a partition); {@code Long.MAX_VALUE}
     * nanos for more than {@code maxBatch} permits, which a lease never covers. It is at least 1 ns. {@code
     * resetAfter} estimates the refill of the capacity not held here. While the owner is unreachable the
     * {@link OwnerUnreachable} policy decides and its local bucket (if any) fills the numbers. The even split
     * reports its local bucket exactly.
     *
     * @param key     the key, not null
     * @param permits at least 1
     * @return the decision
     * @throws NullPointerException     if {@code key} is null
     * @throws IllegalArgumentException if {@code permits} is not positive
     */
    RateLimitDecision tryAcquireWithDecision(String key, int permits);

    /**
     * Takes {@code permits} for {@code key}, waiting up to {@code maxWait} for a lease when this member cannot
     * decide yet: it holds no batch for the key and a lease request is on its way (the first call for a key, or a
     * batch that ran out or expired). It then waits on that lease's response (no polling) and decides once more.
     * It never waits when the member holds a batch (even one too small), when the owner's last answer said the
     * permits are not there yet, when the owner is unreachable (the {@link OwnerUnreachable} policy decides), for
     * more than {@code maxBatch} permits, or with the even split. Waits are real time.
     *
     * <p>If the thread is interrupted while waiting, it decides at once and keeps the interrupt flag set.
     *
     * @param key     the key, not null
     * @param permits at least 1
     * @param maxWait the longest wait, zero or positive
     * @return whether the call is admitted
     * @throws NullPointerException     if {@code key} or {@code maxWait} is null
     * @throws IllegalArgumentException if {@code permits} is not positive or {@code maxWait} is negative
     */
    boolean tryAcquire(String key, int permits, Duration maxWait);

    /**
     * Takes {@code permits} for {@code key}, waiting for a first lease as {@link #tryAcquire(String, int,
     * Duration)} does, and reports the decision as {@link #tryAcquireWithDecision(String, int)} does.
     *
     * @param key     the key, not null
     * @param permits at least 1
     * @param maxWait the longest wait, zero or positive
     * @return the decision
     * @throws NullPointerException     if {@code key} or {@code maxWait} is null
     * @throws IllegalArgumentException if {@code permits} is not positive or {@code maxWait} is negative
     */
    RateLimitDecision tryAcquireWithDecision(String key, int permits, Duration maxWait);

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
