package io.dstk.idgen;

/**
 * Thrown when the wall clock is behind the last timestamp a generator used by more than the generator may
 * bridge: its logical-clock lead plus the time it may wait (see {@link ClockSafety}).
 *
 * <p>No id was issued by the call that threw; the generator stays consistent and later calls succeed once the
 * clock has caught up.
 */
public final class ClockMovedBackwardsException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final long behindMillis;

    /**
     * @param behindMillis how far (ms) the wall clock is behind what the generator needs
     * @param message      the detail message
     */
    public ClockMovedBackwardsException(long behindMillis, String message) {
        super(message);
        this.behindMillis = behindMillis;
    }

    /** @return how many milliseconds the wall clock is behind what the generator needs */
    public long behindMillis() {
        return behindMillis;
    }
}
