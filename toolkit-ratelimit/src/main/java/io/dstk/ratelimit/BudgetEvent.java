package io.dstk.ratelimit;

import java.util.Objects;

/**
 * A threshold crossing or a kill-switch trip, handed to the actions registered on the {@link BudgetBuilder}.
 *
 * <p>Actions run at least once per event: an action that throws, or a process that dies before recording that
 * the actions completed, makes them run again (after a restart: when the budget is built) with the same
 * {@link #idempotencyKey()}. Make the action idempotent on that key to run it exactly once.
 *
 * @param budget    the budget's name
 * @param epoch     the epoch the event belongs to
 * @param kind      threshold or trip
 * @param threshold the threshold's fraction of the limit ({@code 1.0} for a trip)
 * @param used      units used when the event was raised
 * @param limit     the epoch's limit
 */
public record BudgetEvent(String budget, long epoch, Kind kind, double threshold, long used, long limit) {

    /** What happened. */
    public enum Kind {
        /** Usage reached a warning threshold. */
        THRESHOLD,
        /** Usage reached the limit: the kill switch tripped and every acquire is denied until a reset or raise. */
        TRIPPED
    }

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if {@code budget} or {@code kind} is null
     */
    public BudgetEvent {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * Returns a key that is the same every time this event is delivered and different for any other event:
     * {@code <budget>/<epoch>/trip} for a trip, {@code <budget>/<epoch>/threshold/<fraction>} for a threshold.
     *
     * @return the idempotency key
     */
    public String idempotencyKey() {
        return kind == Kind.TRIPPED ? budget + "/" + epoch + "/trip" : budget + "/" + epoch + "/threshold/" + threshold;
    }
}
