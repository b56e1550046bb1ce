package io.dstk.idgen;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link SnowflakeGenerator} does when it cannot use the wall clock's current tick: because the clock
 * stepped backwards, or because the current tick's sequence is used up.
 *
 * <p>The generator keeps a <em>logical clock</em>: the tick of its last id. It never issues an id with a tick
 * below the logical clock (so never a duplicate or a smaller id), and it lets the logical clock lead the wall
 * clock by at most {@link #maxLead()}. When an id would need a larger lead, the generator waits for the wall
 * clock to catch up if that takes at most {@link #maxWait()}, and otherwise throws
 * {@link ClockMovedBackwardsException} without issuing an id. A wait of at most one tick (the next tick, when
 * the current one's sequence is used up or the clock is one tick short) is always allowed, whatever
 * {@code maxWait} says. The whole wait of a call is bounded, measured on the monotonic clock: if the wall clock
 * steps back again or stalls while the call waits, so that it cannot reach the tick needed within the wait
 * allowed at the start (plus a grace of 20 ms for the clock's granularity), the call fails with
 * {@link ClockMovedBackwardsException} instead of waiting on.
 *
 * <ul>
 *   <li>{@link #waitThenFail(Duration)} (lead 0): ids always carry the wall-clock time; after a backward step
 *       the generator waits up to the tolerance, then fails. Twitter's behaviour, with a tolerance.</li>
 *   <li>{@link #logicalClock(Duration, Duration)}: after a backward step, or when a tick is used up, the
 *       generator carries on at its logical clock, up to the maximum lead ahead of the wall clock; then waits
 *       or fails. Ids then carry timestamps up to {@code maxLead} in the future, and bursts can briefly exceed
 *       the layout's ids per tick.</li>
 * </ul>
 *
 * <p>Anything that hands the worker id to another process later (for example a lease) must wait out the
 * previous holder's {@code maxLead} too. Default: {@link #defaults()}. Immutable.
 *
 * @param maxLead how far the logical clock may run ahead of the wall clock (zero or positive)
 * @param maxWait how long a call may wait for the wall clock to catch up before it fails (zero or positive)
 */
public record ClockSafety(Duration maxLead, Duration maxWait) {

    /**
     * @throws NullPointerException if a parameter is null
     * @throws IllegalArgumentException if a parameter is negative
     */
    public ClockSafety {
        Objects.requireNonNull(maxLead, "maxLead");
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxLead.isNegative()) {
            throw new IllegalArgumentException("maxLead was " + maxLead + " but must not be negative");
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait was " + maxWait + " but must not be negative");
        }
    }

    /**
     * Ids always carry the wall-clock tick; after a backward step wait up to {@code tolerance}, then fail.
     *
     * @param tolerance how far back the clock may step before calls fail instead of waiting
     * @return the setting
     */
    public static ClockSafety waitThenFail(Duration tolerance) {
        return new ClockSafety(Duration.ZERO, tolerance);
    }

    /**
     * Continue on a logical clock up to {@code maxLead} ahead of the wall clock; beyond it, wait up to
     * {@code maxWait} (zero: fail at once).
     *
     * @param maxLead how far ids may run ahead of the wall clock
     * @param maxWait how long to wait beyond that before failing
     * @return the setting
     */
    public static ClockSafety logicalClock(Duration maxLead, Duration maxWait) {
        return new ClockSafety(maxLead, maxWait);
    }

    /**
     * The default: {@code waitThenFail(1 s)} — ids carry true time, a step back of up to a second (a leap
     * second, an NTP step) stalls callers until the clock has caught up, a larger one fails.
     *
     * @return the default
     */
    public static ClockSafety defaults() {
        return waitThenFail(Duration.ofSeconds(1));
    }
}
