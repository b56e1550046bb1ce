package io.dstk.ratelimit;

import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link BudgetStore} keeps for one budget: everything needed to continue after a restart, including
 * whether the actions of the current trip and thresholds have run (so they run at least once).
 *
 * <p>Immutable; the compact constructor validates.
 *
 * @param name              the budget's name
 * @param epoch             incremented by every reset, raise and period rollover; starts at 0
 * @param limit             units allowed in the epoch, positive
 * @param used              units consumed in the epoch, not negative (may exceed the limit after
 *                          {@link Budget#record(long)})
 * @param periodStart       start of the current period, or null for a budget without periods
 * @param tripped           whether the kill switch tripped in this epoch
 * @param tripNotified      whether every kill-switch action of this epoch's trip completed
 * @param notifiedThreshold the highest threshold (fraction of the limit) whose actions completed in this
 *                          epoch, 0 if none
 */
public record BudgetState(String name, long epoch, long limit, long used, Instant periodStart, boolean tripped,
                          boolean tripNotified, double notifiedThreshold) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if a number is out of range, or a trip is notified but not tripped
     */
    public BudgetState {
        Objects.requireNonNull(name, "name");
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, was " + epoch);
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        if (used < 0) {
            throw new IllegalArgumentException("used must not be negative, was " + used);
        }
        if (!(notifiedThreshold >= 0 && notifiedThreshold <= 1)) {
            throw new IllegalArgumentException("notifiedThreshold must be within [0, 1], was " + notifiedThreshold);
        }
        if (tripNotified && !tripped) {
            throw new IllegalArgumentException("tripNotified without tripped");
        }
    }

    /**
     * Returns the units left in this epoch.
     *
     * @return {@code max(0, limit - used)}, or 0 once tripped
     */
    public long remaining() {
        return tripped ? 0 : Math.max(0, limit - used);
    }
}
