package io.dstk.ratelimit;

import io.dstk.ratelimit.internal.LocalBudget;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Configures a {@link Budget}. Setters validate at once and name the value in the exception.
 *
 * <p>Defaults: {@link BudgetPeriod#NONE}, zone UTC, {@link InstantSource#system()}, an in-memory store, no
 * thresholds, no kill-switch actions (a trip still denies), action failures logged as warnings through
 * {@link System.Logger}. Not thread safe.
 */
public final class BudgetBuilder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");

    private final String name;
    private final long limit;
    private BudgetPeriod period = BudgetPeriod.NONE;
    private ZoneId zone = ZoneOffset.UTC;
    private InstantSource clock = InstantSource.system();
    private BudgetStore store;
    private final TreeMap<Double, List<Consumer<BudgetEvent>>> thresholds = new TreeMap<>();
    private final List<Consumer<BudgetEvent>> tripActions = new ArrayList<>();
    private BiConsumer<BudgetEvent, RuntimeException> onActionFailure;

    BudgetBuilder(String name, long limit) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1 to 100 characters of [A-Za-z0-9._-], not starting "
                    + "with a dot, was \"" + name + "\"");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        this.name = name;
        this.limit = limit;
    }

    /**
     * Sets when the budget starts over by itself (default {@link BudgetPeriod#NONE}).
     *
     * @param period the period
     * @return this builder
     * @throws NullPointerException if {@code period} is null
     */
    public BudgetBuilder period(BudgetPeriod period) {
        this.period = Objects.requireNonNull(period, "period");
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
        this.zone = Objects.requireNonNull(zone, "zone");
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
        this.clock = Objects.requireNonNull(clock, "clock");
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
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("threshold must be strictly between 0 and 1, was " + fraction);
        }
        Objects.requireNonNull(action, "action");
        thresholds.computeIfAbsent(fraction, f -> new ArrayList<>()).add(action);
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
        tripActions.add(Objects.requireNonNull(action, "action"));
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
        this.onActionFailure = Objects.requireNonNull(handler, "handler");
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
        BiConsumer<BudgetEvent, RuntimeException> failure = onActionFailure;
        if (failure == null) {
            System.Logger logger = System.getLogger(Budget.class.getName());
            failure = (event, e) -> logger.log(System.Logger.Level.WARNING,
                    "budget action failed for " + event.idempotencyKey() + "; it will run again", e);
        }
        List<Double> fractions = new ArrayList<>(thresholds.keySet());
        List<List<Consumer<BudgetEvent>>> actions = new ArrayList<>();
        for (List<Consumer<BudgetEvent>> a : thresholds.values()) {
            actions.add(List.copyOf(a));
        }
        return new LocalBudget(name, limit, period, zone, clock, store == null ? BudgetStore.inMemory() : store,
                fractions, actions, List.copyOf(tripActions), failure);
    }
}
