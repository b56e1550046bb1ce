package io.dstk.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when told: virtual time for tests. Starts at an arbitrary large value. */
final class ManualTicker implements Ticker {
    private final AtomicLong now;

    ManualTicker() {
        this(Long.MAX_VALUE - 1_000_000_000_000L); // near the wrap point: limiters must subtract, not compare
    }

    ManualTicker(long start) {
        this.now = new AtomicLong(start);
    }

    @Override
    public long read() {
        return now.get();
    }

    void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    void advanceNanos(long nanos) {
        now.addAndGet(nanos);
    }
}
