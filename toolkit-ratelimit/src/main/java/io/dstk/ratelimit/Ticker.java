package io.dstk.ratelimit;

/**
 * A source of monotonic nanoseconds, the only clock the rate limiters read.
 *
 * <p>Values have no meaning on their own (like {@link System#nanoTime()}): only differences between two
 * readings of the same ticker count, so a ticker's values must never be stored or sent to another JVM.
 * Implementations must be thread safe and should never go backwards; a limiter that sees time go
 * backwards treats it as no time having passed (it never grants extra permits for it).
 *
 * <p>Tests inject a manual ticker to run in virtual time; production code uses {@link #system()}.
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
