package io.dstk.ratelimit;

/**
 * A long-window quota (per day, per month, or until reset) in weighted units such as cost, with warning
 * thresholds and a kill switch: once usage reaches the limit the budget <em>trips</em>, its kill-switch
 * actions run, and every acquire is denied until {@link #reset()} or {@link #raise(long)}.
 *
 * <pre>{@code
 * Budget budget = Budget.builder("llm-spend", 10_000)
 *         .period(BudgetPeriod.DAILY)
 *         .threshold(0.8, event -> alert("80 % of today's budget used"))
 *         .onTrip(event -> disableFeature(event.idempotencyKey()))
 *         .store(BudgetStore.file(Path.of("/var/lib/myapp")))
 *         .build();
 * if (!budget.tryAcquire(costOfCall)) {
 *     // refused: over budget
 * }
 * }</pre>
 *
 * <h2>Epochs</h2>
 * Usage is counted per epoch. A reset, a raise and the start of a new period each start a new epoch (the
 * epoch number only grows, also across restarts). Each threshold fires and the kill switch trips at most once
 * per epoch; the idempotency key of their events is made of the budget's name and the epoch.
 *
 * <h2>Actions</h2>
 * Actions run at least once per event, on the thread whose call caused it, while other calls on this budget
 * wait: keep them short or hand them to an executor. The state (trip included) is saved before actions run,
 * and the completion of the actions is saved after; an action that throws is reported to the failure handler
 * and runs again on the next call, and actions whose completion was not saved run again when the budget is
 * next built. Make them idempotent on {@link BudgetEvent#idempotencyKey()} for exactly-once effects.
 *
 * <h2>Thread safety and failures</h2>
 * Thread safe (one lock; a budget is not a hot-path limiter). Every change is saved through the
 * {@link BudgetStore} before it takes effect: if saving fails the call throws {@link BudgetStoreException} and
 * nothing changed (fail closed). A corrupt stored state makes {@link BudgetBuilder#build()} throw; it is never
 * replaced by a fresh state silently. This implementation is single-process; a cluster-wide budget will plug a
 * shared store in behind the same interfaces.
 */
public interface Budget {

    /**
     * Takes {@code units} if the budget is not tripped and they fit in what remains (all or nothing). Taking
     * the last unit trips the budget.
     *
     * @param units at least 1
     * @return whether the units were granted
     * @throws IllegalArgumentException if {@code units} is not positive
     * @throws BudgetStoreException     if the new state could not be saved (nothing was granted)
     */
    boolean tryAcquire(long units);

    /**
     * Records units already spent (a cost known only afterwards), even beyond the limit; trips the budget if
     * usage reaches the limit.
     *
     * @param units at least 1
     * @return whether the budget is still open (not tripped) after recording
     * @throws IllegalArgumentException if {@code units} is not positive
     * @throws BudgetStoreException     if the new state could not be saved (nothing was recorded)
     */
    boolean record(long units);

    /**
     * Starts a new epoch with nothing used and the same limit; clears the trip.
     *
     * @throws BudgetStoreException if the new state could not be saved
     */
    void reset();

    /**
     * Starts a new epoch with a new limit, keeping what was used; the budget is tripped in the new epoch only
     * if usage already reaches the new limit (then the kill switch fires again, with the new epoch's key).
     *
     * @param newLimit at least 1
     * @throws IllegalArgumentException if {@code newLimit} is not positive
     * @throws BudgetStoreException     if the new state could not be saved
     */
    void raise(long newLimit);

    /**
     * Returns the current state (rolling over to a new period first if one has started).
     *
     * @return an immutable snapshot
     */
    BudgetState state();

    /**
     * Starts a budget.
     *
     * @param name  identifies the budget in its store and events: 1 to 100 characters from
     *              {@code [A-Za-z0-9._-]}, not starting with a dot
     * @param limit units per epoch, at least 1 (a stored state's limit wins over this one, see
     *              {@link BudgetBuilder#build()})
     * @return a builder
     * @throws IllegalArgumentException if {@code name} or {@code limit} is invalid
     * @throws NullPointerException     if {@code name} is null
     */
    static BudgetBuilder builder(String name, long limit) {
        return new BudgetBuilder(name, limit);
    }
}
