package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A ticker with two readings: {@link #read()}, the exact clock, and {@link #readCoarse()}, a copy of an earlier
 * exact reading refreshed every {@link #resolution()}. Limiters built on it (GCRA and the greedy token bucket)
 * deny from the coarse reading without reading the clock, and read the exact clock only to admit.
 *
 * <p>The coarse reading is a past reading of the exact clock. A limiter denies from it only when the call would
 * still be denied had the clock moved {@link #slackNanos()} (two resolutions) since the reading; otherwise it
 * reads the exact clock and applies its exact rule. So while the refresher keeps the lag under two resolutions,
 * the decisions are exactly those of the exact clock; when it runs later, an admissible call may be denied, for
 * at most the lag beyond the slack; an inadmissible call is never admitted. Thread safe.
 */
public final class CoarseTicker implements Ticker {
    private static final ConcurrentMap<Long, CoarseTicker> SHARED = new ConcurrentHashMap<>();

    private final Ticker exact;
    private final long resolutionNanos;
    private volatile long coarse;

    /**
     * Creates a coarse ticker over {@code exact}; nothing refreshes it but {@link #refresh()} (tests call it in
     * virtual time).
     *
     * @param exact      the exact clock
     * @param resolution how often the coarse reading is meant to be refreshed
     * @throws NullPointerException if an argument is null
     */
    public CoarseTicker(Ticker exact, Duration resolution) {
        this.exact = Objects.requireNonNull(exact, "exact");
        this.resolutionNanos = Objects.requireNonNull(resolution, "resolution").toNanos();
        this.coarse = exact.read();
    }

    /**
     * Returns the shared coarse ticker over {@link System#nanoTime()} for {@code resolution}, starting its daemon
     * refresher thread ({@code dstk-ratelimit-coarse-ticker-<nanos>}) on first use. One thread per distinct
     * resolution, for the life of the JVM.
     *
     * @param resolution between 10 microseconds and 1 second
     * @return the shared ticker
     * @throws NullPointerException     if {@code resolution} is null
     * @throws IllegalArgumentException if {@code resolution} is out of range
     */
    public static CoarseTicker shared(Duration resolution) {
        Objects.requireNonNull(resolution, "resolution");
        if (resolution.compareTo(Duration.ofNanos(10_000)) < 0 || resolution.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("resolution must be between 10 us and 1 s, was " + resolution);
        }
        return SHARED.computeIfAbsent(resolution.toNanos(), nanos -> {
            CoarseTicker ticker = new CoarseTicker(Ticker.system(), resolution);
            Thread refresher = new Thread(() -> {
                while (true) {
                    ticker.refresh();
                    LockSupport.parkNanos(nanos);
                }
            }, "dstk-ratelimit-coarse-ticker-" + nanos);
            refresher.setDaemon(true);
            refresher.start();
            return ticker;
        });
    }

    /** Returns the exact clock. */
    @Override
    public long read() {
        return exact.read();
    }

    /**
     * Returns the last refreshed reading: never ahead of {@link #read()}, behind it by about the resolution
     * (more if the refresher is not scheduled in time).
     *
     * @return a past reading of the exact clock
     */
    public long readCoarse() {
        return coarse;
    }

    /** Copies the exact clock into the coarse reading. */
    public void refresh() {
        coarse = exact.read();
    }

    /**
     * Returns how far the clock may have moved past the coarse reading before a denial from it could be wrong:
     * two resolutions.
     *
     * @return the slack in nanoseconds
     */
    public long slackNanos() {
        return 2 * resolutionNanos;
    }

    /**
     * Returns the intended refresh interval.
     *
     * @return the resolution in nanoseconds
     */
    public long resolutionNanos() {
        return resolutionNanos;
    }

    @Override
    public String toString() {
        return "Ticker.coarse(" + Duration.ofNanos(resolutionNanos) + ")";
    }
}
