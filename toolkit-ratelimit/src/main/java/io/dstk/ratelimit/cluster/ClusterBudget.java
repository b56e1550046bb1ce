package io.dstk.ratelimit.cluster;

import io.dstk.ratelimit.Budget;
import io.dstk.store.ClusterStore;

/**
 * A {@link Budget} shared by every member of a cluster: usage, epoch and the tripped state live in the
 * {@link ClusterStore} (a linearizable map), so a trip on one member denies every acquire on every member until
 * a reset or raise, which starts a new epoch cluster-wide.
 *
 * <pre>{@code
 * Budget spend = ClusterBudget.builder(store, "llm-spend", 10_000)
 *         .period(BudgetPeriod.DAILY)
 *         .onTrip(event -> disableFeature(event.idempotencyKey()))
 *         .build();
 * }</pre>
 *
 * <h2>Consistency</h2>
 * Every call reads the state and writes the next one with {@code compareAndSet} on the store key
 * {@code dstk.ratelimit.budget.<name>} (value: the text format of {@code BudgetStore.file}), retrying on a
 * conflict. So the units granted in one epoch never exceed its limit, across all members. Each call costs at
 * least two store operations (a read and a write through the raft log): a budget guards expensive work, not a
 * hot path.
 *
 * <h2>Actions</h2>
 * Threshold and kill-switch actions run at least once per event cluster-wide, with the idempotency key
 * {@code <budget>/<epoch>/trip} (or {@code .../threshold/<fraction>}): the member whose call crossed the line runs
 * them under a store lease ({@code dstk.ratelimit.budget.<name>.actions}) and records their completion in the
 * state; if it dies first, the next call on any member after the lease's expiry runs them again. Every member
 * should register the same actions.
 *
 * <h2>Failures</h2>
 * A store failure ({@code NoQuorumException}, {@code StoreTimeoutException}) is thrown as
 * {@link io.dstk.ratelimit.BudgetStoreException}: the call did not grant anything (fail closed); after a timeout
 * the write may still have been applied, which can only make later calls see more usage. Thread safe.
 */
public interface ClusterBudget extends Budget {

    /**
     * Starts a cluster budget. Every member builds it with the same name; the first to write creates the state
     * with {@code limit}, later ones adopt the stored epoch, limit and usage.
     *
     * @param store the cluster store
     * @param name  1 to 100 characters of {@code [A-Za-z0-9._-]}, not starting with a dot
     * @param limit units per epoch, at least 1
     * @return a builder
     * @throws NullPointerException     if {@code store} or {@code name} is null
     * @throws IllegalArgumentException if {@code name} or {@code limit} is invalid
     */
    static ClusterBudgetBuilder builder(ClusterStore store, String name, long limit) {
        return new ClusterBudgetBuilder(store, name, limit);
    }
}
