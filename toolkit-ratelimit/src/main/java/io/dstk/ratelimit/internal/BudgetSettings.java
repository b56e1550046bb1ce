package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.Budget;
import io.dstk.ratelimit.BudgetEvent;
import io.dstk.ratelimit.BudgetPeriod;
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
 * The settings every budget builder shares (local and cluster): name, limit, period, zone, clock, thresholds,
 * kill-switch actions and the failure handler, each validated when set with the value named in the exception.
 * Defaults: {@link BudgetPeriod#NONE}, UTC, {@link InstantSource#system()}, no thresholds or actions, failures
 * logged as warnings through {@link System.Logger}. Not thread safe (builders are not).
 */
public final class BudgetSettings {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");

    private final String name;
    private final long limit;
    private BudgetPeriod period = BudgetPeriod.NONE;
    private ZoneId zone = ZoneOffset.UTC;
    private InstantSource clock = InstantSource.system();
    private final TreeMap<Double, List<Consumer<BudgetEvent>>> thresholds = new TreeMap<>();
    private final List<Consumer<BudgetEvent>> tripActions = new ArrayList<>();
    private BiConsumer<BudgetEvent, RuntimeException> onActionFailure;

    /**
     * Validates the required settings.
     *
     * @param name  1 to 100 characters of {@code [A-Za-z0-9._-]}, not starting with a dot
     * @param limit units per epoch, at least 1
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code name} or {@code limit} is invalid
     */
    public BudgetSettings(String name, long limit) {
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
     * Sets the period.
     *
     * @param period not null
     */
    public void period(BudgetPeriod period) {
        this.period = Objects.requireNonNull(period, "period");
    }

    /**
     * Sets the zone of the period's calendar.
     *
     * @param zone not null
     */
    public void zone(ZoneId zone) {
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    /**
     * Sets the wall clock.
     *
     * @param clock not null
     */
    public void clock(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Adds a threshold action.
     *
     * @param fraction strictly between 0 and 1
     * @param action   not null
     */
    public void threshold(double fraction, Consumer<BudgetEvent> action) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("threshold must be strictly between 0 and 1, was " + fraction);
        }
        Objects.requireNonNull(action, "action");
        thresholds.computeIfAbsent(fraction, f -> new ArrayList<>()).add(action);
    }

    /**
     * Adds a kill-switch action.
     *
     * @param action not null
     */
    public void onTrip(Consumer<BudgetEvent> action) {
        tripActions.add(Objects.requireNonNull(action, "action"));
    }

    /**
     * Sets the handler of failed actions.
     *
     * @param handler not null
     */
    public void onActionFailure(BiConsumer<BudgetEvent, RuntimeException> handler) {
        this.onActionFailure = Objects.requireNonNull(handler, "handler");
    }

    /** @return the name */
    public String name() {
        return name;
    }

    /** @return the limit */
    public long limit() {
        return limit;
    }

    /** @return the period */
    public BudgetPeriod period() {
        return period;
    }

    /** @return the zone */
    public ZoneId zone() {
        return zone;
    }

    /** @return the wall clock */
    public InstantSource clock() {
        return clock;
    }

    /** @return the threshold fractions, ascending */
    public List<Double> thresholdFractions() {
        return List.copyOf(thresholds.keySet());
    }

    /** @return the actions of each threshold, in the order of {@link #thresholdFractions()} */
    public List<List<Consumer<BudgetEvent>>> thresholdActions() {
        List<List<Consumer<BudgetEvent>>> actions = new ArrayList<>();
        for (List<Consumer<BudgetEvent>> a : thresholds.values()) {
            actions.add(List.copyOf(a));
        }
        return List.copyOf(actions);
    }

    /** @return the kill-switch actions */
    public List<Consumer<BudgetEvent>> tripActions() {
        return List.copyOf(tripActions);
    }

    /** @return the handler set, or the default: a warning through {@link System.Logger} */
    public BiConsumer<BudgetEvent, RuntimeException> failureHandler() {
        if (onActionFailure != null) {
            return onActionFailure;
        }
        System.Logger logger = System.getLogger(Budget.class.getName());
        return (event, e) -> logger.log(System.Logger.Level.WARNING,
                "budget action failed for " + event.idempotencyKey() + "; it will run again", e);
    }
}
