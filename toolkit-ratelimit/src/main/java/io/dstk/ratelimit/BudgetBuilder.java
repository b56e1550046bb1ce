package io.dstk.ratelimit;

import io.dstk.ratelimit.internal.BudgetSettings;
import io.dstk.ratelimit.internal.LocalBudget;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Configures a {@link Budget}. Setters validate at once and name the value in the exception.
 *
 * <p>Defaults: {@link BudgetPeriod#NONE}, zone UTC, {@link InstantSource#system()}, an in-memory store, no
 * thresholds, no kill-switch actions (a trip still denies), action failures logged as warnings through
 * {@link System.Logger}. Not thread safe.
 */
public final class BudgetBuilder {
    private final BudgetSettings settings;
    private BudgetStore store;

    BudgetBuilder(String name, long limit) {
        this.settings = new BudgetSettings(name, limit);
    }

    /**
     * Sets when the budget starts over by itself (default {@link BudgetPeriod#NONE}).
     *
     * @param period the period
     * @return this builder
     * @throws NullPointerException if {@code period} is null
     */
    public BudgetBuilder period(BudgetPeriod period) {
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
    public BudgetBuilder zone(ZoneId zone) {
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
    public BudgetBuilder clock(InstantSource clock) {
        settings.clock(clock);
        return this;
    }

    /**
     * Sets where the state is kept (default {@link BudgetStore#inMemory()}).
     *
     * @param store the store
     * @return this builder
     * @throws NullPointerException if {@code store} is null
     */
    public BudgetBuilder store(BudgetStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return this;
    }

    /**
     * Adds an action to run once usage reaches {@code fraction} of the limit (once per epoch, at least once).
     *
     * @param fraction strictly between 0 and 1, e.g. {@code 0.8}
     * @param action   the action
     * @return this builder
     * @throws IllegalArgumentException if {@code fraction} is out of range
     * @throws NullPointerException     if {@code action} is null
     */
    public BudgetBuilder threshold(double fraction, Consumer<BudgetEvent> action) {
        settings.threshold(fraction, action);
        return this;
    }

    /**
     * Adds a kill-switch action, run when the budget trips (once per epoch, at least once).
     *
     * @param action the action
     * @return this builder
     * @throws NullPointerException if {@code action} is null
     */
    public BudgetBuilder onTrip(Consumer<BudgetEvent> action) {
        settings.onTrip(action);
        return this;
    }

    /**
     * Sets what happens when an action throws (default: a warning through {@link System.Logger}). The action
     * runs again on the next call either way.
     *
     * @param handler receives the event and the exception
     * @return this builder
     * @throws NullPointerException if {@code handler} is null
     */
    public BudgetBuilder onActionFailure(BiConsumer<BudgetEvent, RuntimeException> handler) {
        settings.onActionFailure(handler);
        return this;
    }

    /**
     * Builds the budget: loads its state from the store (the stored epoch, limit and usage win over the
     * configured limit: change a running budget's limit with {@link Budget#raise(long)}), rolls over to the
     * current period, and runs the actions whose completion was not recorded.
     *
     * @return the budget
     * @throws BudgetStoreException if the stored state cannot be read or is corrupt
     */
    public Budget build() {
        BudgetSettings s = settings;
        return new LocalBudget(s.name(), s.limit(), s.period(), s.zone(), s.clock(),
                store == null ? BudgetStore.inMemory() : store, s.thresholdFractions(), s.thresholdActions(),
                s.tripActions(), s.failureHandler());
    }
}
