package io.dstk.ratelimit.cluster;

import io.dstk.ratelimit.BudgetEvent;
import io.dstk.ratelimit.BudgetPeriod;
import io.dstk.ratelimit.internal.BudgetSettings;
import io.dstk.store.ClusterStore;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Configures a {@link ClusterBudget}. Setters validate at once and name the value in the exception.
 *
 * <p>Defaults: {@link BudgetPeriod#NONE}, zone UTC, {@link InstantSource#system()} (periods are decided by wall
 * time, so keep member clocks in sync), no thresholds, no actions (a trip still denies), action lease 30 s,
 * failures logged through {@link System.Logger}. Not thread safe.
 */
public final class ClusterBudgetBuilder {
    final ClusterStore store;
    final BudgetSettings settings;
    Duration actionLease = Duration.ofSeconds(30);

    ClusterBudgetBuilder(ClusterStore store, String name, long limit) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = new BudgetSettings(name, limit);
    }

    /**
     * Sets when the budget starts over by itself (default {@link BudgetPeriod#NONE}).
     *
     * @param period the period
     * @return this builder
     * @throws NullPointerException if {@code period} is null
     */
    public ClusterBudgetBuilder period(BudgetPeriod period) {
        settings.period(period);
        return this;
    }

    /**
     * Sets the time zone of the period's calendar (default UTC).
     *
     * @param zone the zone
     * @return this builder
     * @throws NullPointerException if {@code zone} is null
     */
    public ClusterBudgetBuilder zone(ZoneId zone) {
        settings.zone(zone);
        return this;
    }

    /**
     * Sets the wall clock that decides the period (default {@link InstantSource#system()}).
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public ClusterBudgetBuilder clock(InstantSource clock) {
        settings.clock(clock);
        return this;
    }

    /**
     * Sets how long a member may take to run the actions before another member runs them again (default 30 s).
     *
     * @param ttl within the store's lease TTL range
     * @return this builder
     * @throws NullPointerException if {@code ttl} is null
     */
    public ClusterBudgetBuilder actionLease(Duration ttl) {
        this.actionLease = Objects.requireNonNull(ttl, "ttl");
        return this;
    }

    /**
     * Adds an action to run once usage reaches {@code fraction} of the limit (once per epoch, at least once).
     *
     * @param fraction strictly between 0 and 1
     * @param action   the action
     * @return this builder
     * @throws IllegalArgumentException if {@code fraction} is out of range
     * @throws NullPointerException     if {@code action} is null
     */
    public ClusterBudgetBuilder threshold(double fraction, Consumer<BudgetEvent> action) {
        settings.threshold(fraction, action);
        return this;
    }

    /**
     * Adds a kill-switch action, run when the budget trips (once per epoch cluster-wide, at least once).
     *
     * @param action the action
     * @return this builder
     * @throws NullPointerException if {@code action} is null
     */
    public ClusterBudgetBuilder onTrip(Consumer<BudgetEvent> action) {
        settings.onTrip(action);
        return this;
    }

    /**
     * Sets what happens when an action throws (default: a warning through {@link System.Logger}).
     *
     * @param handler receives the event and the exception
     * @return this builder
     * @throws NullPointerException if {@code handler} is null
     */
    public ClusterBudgetBuilder onActionFailure(BiConsumer<BudgetEvent, RuntimeException> handler) {
        settings.onActionFailure(handler);
        return this;
    }

    /**
     * Builds the budget: creates the shared state if none exists, rolls it to the current period and runs
     * actions still owed.
     *
     * @return the budget
     * @throws io.dstk.ratelimit.BudgetStoreException if the store cannot be reached or holds a corrupt state
     */
    public ClusterBudget build() {
        return new DefaultClusterBudget(this);
    }
}
