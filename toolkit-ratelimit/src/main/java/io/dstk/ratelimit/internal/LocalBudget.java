package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.Budget;
import io.dstk.ratelimit.BudgetEvent;
import io.dstk.ratelimit.BudgetPeriod;
import io.dstk.ratelimit.BudgetState;
import io.dstk.ratelimit.BudgetStore;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Single-process budget. Every change goes: compute the next state, save it, adopt it, then run the actions
 * still owed for the adopted state and save their completion. All under this object's monitor.
 */
public final class LocalBudget implements Budget {
    private final BudgetPeriod period;
    private final ZoneId zone;
    private final InstantSource clock;
    private final BudgetStore store;
    private final List<Double> thresholds;
    private final List<List<Consumer<BudgetEvent>>> thresholdActions;
    private final List<Consumer<BudgetEvent>> tripActions;
    private final BiConsumer<BudgetEvent, RuntimeException> onFailure;
    private BudgetState state;
    private boolean notifying;

    /**
     * Loads or creates the state, rolls it over to the current period and runs the actions still owed.
     *
     * @param name             budget name
     * @param limit            limit for a new budget
     * @param period           period
     * @param zone             calendar zone
     * @param clock            wall clock
     * @param store            store
     * @param thresholds       fractions, ascending
     * @param thresholdActions actions per fraction
     * @param tripActions      kill-switch actions
     * @param onFailure        action failure handler
     */
    public LocalBudget(String name, long limit, BudgetPeriod period, ZoneId zone, InstantSource clock,
                       BudgetStore store, List<Double> thresholds, List<List<Consumer<BudgetEvent>>> thresholdActions,
                       List<Consumer<BudgetEvent>> tripActions, BiConsumer<BudgetEvent, RuntimeException> onFailure) {
        this.period = period;
        this.zone = zone;
        this.clock = clock;
        this.store = store;
        this.thresholds = thresholds;
        this.thresholdActions = thresholdActions;
        this.tripActions = tripActions;
        this.onFailure = onFailure;
        synchronized (this) {
            BudgetState loaded = store.load(name).orElse(null);
            if (loaded == null) {
                commit(new BudgetState(name, 0, limit, 0, periodStart(), false, false, 0));
            } else {
                this.state = loaded;
                roll();
            }
            notifyOwed();
        }
    }

    private Instant periodStart() {
        return periodStart(clock.instant());
    }

    private Instant periodStart(Instant now) {
        LocalDate day = LocalDate.ofInstant(now, zone);
        switch (period) {
            case NONE:
                return null;
            case DAILY:
                return day.atStartOfDay(zone).toInstant();
            case MONTHLY:
                return day.withDayOfMonth(1).atStartOfDay(zone).toInstant();
            default:
                throw new AssertionError(period);
        }
    }

    private void commit(BudgetState next) {
        store.save(next); // throws before anything changes if the store fails
        this.state = next;
    }

    /** Starts a new epoch if a new period began (never goes back to an earlier period). */
    private void roll() {
        Instant start = periodStart();
        Instant current = state.periodStart();
        if (start != null && (current == null || start.isAfter(current))) {
            commit(new BudgetState(state.name(), state.epoch() + 1, state.limit(), 0, start, false, false, 0));
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    @Override
    public synchronized boolean tryAcquire(long units) {
        positive("units", units);
        roll();
        BudgetState s = state;
        boolean granted = !s.tripped() && units <= s.limit() - s.used();
        if (granted) {
            long used = s.used() + units;
            commit(new BudgetState(s.name(), s.epoch(), s.limit(), used, s.periodStart(), used >= s.limit(), false,
                    s.notifiedThreshold()));
        }
        notifyOwed();
        return granted;
    }

    @Override
    public synchronized boolean record(long units) {
        positive("units", units);
        roll();
        BudgetState s = state;
        long used = s.used() + units < 0 ? Long.MAX_VALUE : s.used() + units;
        boolean tripped = s.tripped() || used >= s.limit();
        commit(new BudgetState(s.name(), s.epoch(), s.limit(), used, s.periodStart(), tripped,
                s.tripped() && s.tripNotified(), s.notifiedThreshold()));
        notifyOwed();
        return !state.tripped();
    }

    @Override
    public synchronized void reset() {
        BudgetState s = state;
        commit(new BudgetState(s.name(), s.epoch() + 1, s.limit(), 0, periodStart(), false, false, 0));
        notifyOwed();
    }

    @Override
    public synchronized void raise(long newLimit) {
        positive("newLimit", newLimit);
        BudgetState s = state;
        commit(new BudgetState(s.name(), s.epoch() + 1, newLimit, s.used(), s.periodStart(), s.used() >= newLimit,
                false, 0));
        notifyOwed();
    }

    @Override
    public synchronized BudgetState state() {
        roll();
        return state;
    }

    /** Runs the threshold and trip actions owed for the current epoch, recording each completion. */
    private void notifyOwed() {
        if (notifying) {
            return; // an action called back into this budget: the outer loop carries on
        }
        notifying = true;
        try {
            for (int i = 0; i < thresholds.size(); i++) {
                BudgetState s = state;
                double fraction = thresholds.get(i);
                if (fraction <= s.notifiedThreshold() || s.used() < fraction * s.limit()) {
                    continue;
                }
                BudgetEvent event = new BudgetEvent(s.name(), s.epoch(), BudgetEvent.Kind.THRESHOLD, fraction,
                        s.used(), s.limit());
                if (!run(thresholdActions.get(i), event)) {
                    return;
                }
                BudgetState now = state;
                if (now.epoch() == s.epoch() && now.notifiedThreshold() < fraction) {
                    commit(new BudgetState(now.name(), now.epoch(), now.limit(), now.used(), now.periodStart(),
                            now.tripped(), now.tripNotified(), fraction));
                }
            }
            BudgetState s = state;
            if (s.tripped() && !s.tripNotified()) {
                BudgetEvent event = new BudgetEvent(s.name(), s.epoch(), BudgetEvent.Kind.TRIPPED, 1.0, s.used(),
                        s.limit());
                if (run(tripActions, event)) {
                    BudgetState now = state;
                    if (now.epoch() == s.epoch() && now.tripped()) {
                        commit(new BudgetState(now.name(), now.epoch(), now.limit(), now.used(), now.periodStart(),
                                true, true, now.notifiedThreshold()));
                    }
                }
            }
        } finally {
            notifying = false;
        }
    }

    /** Runs every action; returns whether all completed. */
    private boolean run(List<Consumer<BudgetEvent>> actions, BudgetEvent event) {
        boolean ok = true;
        for (Consumer<BudgetEvent> action : actions) {
            try {
                action.accept(event);
            } catch (RuntimeException e) {
                ok = false;
                onFailure.accept(event, e);
            }
        }
        return ok;
    }

    @Override
    public String toString() {
        BudgetState s = state;
        return "Budget{" + s.name() + ", epoch=" + s.epoch() + ", used=" + s.used() + "/" + s.limit()
                + (s.tripped() ? ", tripped" : "") + ", period=" + period + ", store=" + store + '}';
    }
}
