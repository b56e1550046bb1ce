package io.dstk.ratelimit;

import io.dstk.ratelimit.internal.CoarseTicker;
import java.time.Duration;

/**
 * A source of monotonic nanoseconds, the only clock the rate limiters read.
 *
 * <p>Values have no meaning on their own (like {@link System#nanoTime()}): only differences between two
 * readings of the same ticker count, so a ticker's values must never be stored or sent to another JVM.
 * Implementations must be thread safe and should never go backwards; a limiter that sees time go
 * backwards treats it as no time having passed (it never grants extra permits for it).
 *
 * <p>Tests inject a manual ticker to run in virtual time; production code uses {@link #system()}, or
 * {@link #coarse(Duration)} where denying must cost less than a clock read.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * Returns the current reading in nanoseconds.
     *
     * @return nanoseconds since an arbitrary, fixed origin
     */
    long read();

    /**
     * Returns the ticker backed by {@link System#nanoTime()}.
     *
     * @return the system ticker, a shared stateless instance
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }

    /**
     * Returns the system ticker with a coarse reading that lets limiters deny without reading the clock.
     *
     * <p>{@link #read()} is {@link System#nanoTime()}. Alongside it, one shared daemon thread per resolution
     * ({@code dstk-ratelimit-coarse-ticker-<nanos>}, started on first use, running for the life of the JVM)
     * copies {@code System.nanoTime()} into a field every {@code resolution}. The GCRA and greedy token-bucket
     * limiters built on this ticker deny a call from that copy, without reading the clock, when the call would
     * still be denied had the clock moved two resolutions past the copy; otherwise they read the exact clock and
     * apply their exact rule, which decides every admission and every state change. Other algorithms read the
     * exact clock on every call.
     *
     * <p><b>Accuracy.</b> An admission is always decided on the exact clock, so the limiter never exceeds its
     * limit in any window. While the refresher keeps the copy less than two resolutions old, the decisions are
     * exactly those of {@link #system()}; if the operating system runs it later, a call may be denied that the
     * exact clock would admit, at most for the time the copy is older than two resolutions (a delay, never an
     * over-admission). Only calls arriving less than two resolutions before they become admissible pay the
     * clock read. Measured figures are in the module's documentation.
     *
     * @param resolution how often the copy is refreshed, between 10 microseconds and 1 second; 1 ms suits most
     *                   limits (keep it well below half of burst x emission interval)
     * @return a shared ticker for that resolution
     * @throws NullPointerException     if {@code resolution} is null
     * @throws IllegalArgumentException if {@code resolution} is out of range
     */
    static Ticker coarse(Duration resolution) {
        return CoarseTicker.shared(resolution);
    }
}

/** {@link System#nanoTime()}: one final class so call sites stay monomorphic. */
final class SystemTicker implements Ticker {
    static final SystemTicker INSTANCE = new SystemTicker();

    private SystemTicker() {
    }

    @Override
    public long read() {
        return System.nanoTime();
    }

    @Override
    public String toString() {
        return "Ticker.system()";
    }
}
