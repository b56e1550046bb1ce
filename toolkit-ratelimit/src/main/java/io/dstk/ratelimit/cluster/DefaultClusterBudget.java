package io.dstk.ratelimit.cluster;

import io.dstk.ratelimit.BudgetEvent;
import io.dstk.ratelimit.BudgetPeriod;
import io.dstk.ratelimit.BudgetState;
import io.dstk.ratelimit.BudgetStoreException;
import io.dstk.ratelimit.internal.BudgetSettings;
import io.dstk.ratelimit.internal.FileBudgetStore;
import io.dstk.store.CasResult;
import io.dstk.store.ClusterStore;
import io.dstk.store.Lease;
import io.dstk.store.StoreException;
import io.dstk.store.Versioned;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/*
 * Each call: read (state, version) from the store, roll to the current period, compute the next state, and
 * compareAndSet it at that version; retry from the read on a conflict. Then, if actions are owed in the state
 * just written or read, take the store lease "<key>.actions", run them and record their completion with the same
 * read-modify-CAS loop. The member that cannot take the lease leaves the actions to its holder; if the holder
 * dies, the lease expires and the next call anywhere runs them (at least once).
 */
final class DefaultClusterBudget implements ClusterBudget {
    private static final ThreadLocal<Boolean> NOTIFYING = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final ClusterStore store;
    private final String name;
    private final long limit;
    private final String key;
    private final String actionsLease;
    private final BudgetPeriod period;
    private final ZoneId zone;
    private final InstantSource clock;
    private final Duration actionLease;
    private final List<Double> thresholds;
    private final List<List<Consumer<BudgetEvent>>> thresholdActions;
    private final List<Consumer<BudgetEvent>> tripActions;
    private final BiConsumer<BudgetEvent, RuntimeException> onFailure;

    DefaultClusterBudget(ClusterBudgetBuilder b) {
        BudgetSettings settings = b.settings;
        this.store = b.store;
        this.name = settings.name();
        this.limit = settings.limit();
        this.key = "dstk.ratelimit.budget." + name;
        this.actionsLease = key + ".actions";
        this.period = settings.period();
        this.zone = settings.zone();
        this.clock = settings.clock();
        this.actionLease = b.actionLease;
        this.thresholds = settings.thresholdFractions();
        this.thresholdActions = settings.thresholdActions();
        this.tripActions = settings.tripActions();
        this.onFailure = settings.failureHandler();
        notifyOwed(update(s -> s));
    }

    private Instant periodStart() {
        LocalDate day = LocalDate.ofInstant(clock.instant(), zone);
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

    private BudgetState roll(BudgetState s) {
        Instant start = periodStart();
        if (start != null && (s.periodStart() == null || start.isAfter(s.periodStart()))) {
            return new BudgetState(s.name(), s.epoch() + 1, s.limit(), 0, start, false, false, 0);
        }
        return s;
    }

    /** Read-roll-change-CAS until the CAS wins; returns the state now stored. */
    private BudgetState update(UnaryOperator<BudgetState> change) {
        try {
            while (true) {
                Optional<Versioned> stored = store.get(key);
                BudgetState current = stored.map(v -> FileBudgetStore.decode(
                        new String(v.value(), StandardCharsets.UTF_8), "store key " + key, name)).orElse(null);
                long version = stored.map(Versioned::version).orElse(0L);
                BudgetState base = current == null ? new BudgetState(name, 0, limit, 0, periodStart(), false, false, 0)
                        : current;
                BudgetState next = change.apply(roll(base));
                if (next.equals(current)) {
                    return current;
                }
                byte[] bytes = FileBudgetStore.encode(next).getBytes(StandardCharsets.UTF_8);
                CasResult result = store.compareAndSet(key, version, bytes);
                if (result.success()) {
                    return next;
                }
            }
        } catch (StoreException e) {
            throw new BudgetStoreException("budget " + name + ": the cluster store failed: " + e.getMessage(), e);
        }
    }

    private static void positive(String what, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, was " + value);
        }
    }

    @Override
    public boolean tryAcquire(long units) {
        positive("units", units);
        boolean[] granted = new boolean[1];
        BudgetState after = update(s -> {
            granted[0] = !s.tripped() && units <= s.limit() - s.used();
            if (!granted[0]) {
                return s;
            }
            long used = s.used() + units;
            return new BudgetState(s.name(), s.epoch(), s.limit(), used, s.periodStart(), used >= s.limit(), false,
                    s.notifiedThreshold());
        });
        notifyOwed(after);
        return granted[0];
    }

    @Override
    public boolean record(long units) {
        positive("units", units);
        BudgetState after = update(s -> {
            long used = s.used() + units < 0 ? Long.MAX_VALUE : s.used() + units;
            boolean tripped = s.tripped() || used >= s.limit();
            return new BudgetState(s.name(), s.epoch(), s.limit(), used, s.periodStart(), tripped,
                    s.tripped() && s.tripNotified(), s.notifiedThreshold());
        });
        notifyOwed(after);
        return !after.tripped();
    }

    @Override
    public void reset() {
        Instant start = periodStart();
        notifyOwed(update(s -> new BudgetState(s.name(), s.epoch() + 1, s.limit(), 0, start, false, false, 0)));
    }

    @Override
    public void raise(long newLimit) {
        positive("newLimit", newLimit);
        notifyOwed(update(s -> new BudgetState(s.name(), s.epoch() + 1, newLimit, s.used(), s.periodStart(),
                s.used() >= newLimit, false, 0)));
    }

    @Override
    public BudgetState state() {
        return update(s -> s);
    }

    private boolean owed(BudgetState s) {
        for (double fraction : thresholds) {
            if (fraction > s.notifiedThreshold() && s.used() >= fraction * s.limit()) {
                return true;
            }
        }
        return s.tripped() && !s.tripNotified();
    }

    /** Runs the actions owed for the stored state under the actions lease, recording each completion. */
    private void notifyOwed(BudgetState s) {
        if (NOTIFYING.get()) {
            return; // an action called back into the budget: the outer call carries on
        }
        if (!owed(s)) {
            return;
        }
        Optional<Lease> lease;
        try {
            lease = store.tryAcquire(actionsLease, actionLease);
        } catch (StoreException e) {
            throw new BudgetStoreException("budget " + name + ": the cluster store failed: " + e.getMessage(), e);
        }
        if (lease.isEmpty()) {
            return; // another member runs them; if it dies, its lease expires and a later call runs them
        }
        NOTIFYING.set(Boolean.TRUE);
        try {
            notifyUnderLease();
        } finally {
            NOTIFYING.set(Boolean.FALSE);
            try {
                lease.get().release();
            } catch (StoreException e) {
                // the lease expires by itself
            }
        }
    }

    private void notifyUnderLease() {
        for (int i = 0; i < thresholds.size(); i++) {
            BudgetState s = state();
            double fraction = thresholds.get(i);
            if (fraction <= s.notifiedThreshold() || s.used() < fraction * s.limit()) {
                continue;
            }
            BudgetEvent event = new BudgetEvent(s.name(), s.epoch(), BudgetEvent.Kind.THRESHOLD, fraction, s.used(),
                    s.limit());
            if (!run(thresholdActions.get(i), event)) {
                return;
            }
            update(now -> now.epoch() == s.epoch() && now.notifiedThreshold() < fraction
                    ? new BudgetState(now.name(), now.epoch(), now.limit(), now.used(), now.periodStart(),
                            now.tripped(), now.tripNotified(), fraction)
                    : now);
        }
        BudgetState s = state();
        if (s.tripped() && !s.tripNotified()) {
            BudgetEvent event = new BudgetEvent(s.name(), s.epoch(), BudgetEvent.Kind.TRIPPED, 1.0, s.used(),
                    s.limit());
            if (run(tripActions, event)) {
                update(now -> now.epoch() == s.epoch() && now.tripped() && !now.tripNotified()
                        ? new BudgetState(now.name(), now.epoch(), now.limit(), now.used(), now.periodStart(), true,
                                true, now.notifiedThreshold())
                        : now);
            }
        }
    }

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
        return "ClusterBudget{" + name + ", key=" + key + ", period=" + period + '}';
    }
}
