package io.dstk.ratelimit.cluster;

/** A token bucket whose limits can change (view changes rescale it). Guarded by its monitor. */
final class Bucket {
    private double capacity;
    private double ratePerNano;
    private double tokens;
    private long last;
    long lastUsed;
    boolean removed;

    Bucket(double capacity, double ratePerNano, long now, boolean full) {
        this(capacity, ratePerNano, now, full ? capacity : 0);
    }

    /** A bucket holding {@code initial} tokens (at most {@code capacity}). */
    Bucket(double capacity, double ratePerNano, long now, double initial) {
        this.capacity = capacity;
        this.ratePerNano = ratePerNano;
        this.tokens = Math.max(0, Math.min(capacity, initial));
        this.last = now;
        this.lastUsed = now;
    }

    private void refill(long now) {
        long elapsed = now - last;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
            last = now;
        }
    }

    synchronized void limits(double newCapacity, double newRatePerNano, long now) {
        refill(now);
        capacity = newCapacity;
        ratePerNano = newRatePerNano;
        tokens = Math.min(tokens, capacity);
    }

    /** Takes up to {@code want} whole tokens; returns how many were taken. */
    synchronized long takeUpTo(long want, long now) {
        refill(now);
        lastUsed = now;
        long granted = Math.min(want, (long) Math.floor(tokens));
        tokens -= granted;
        return granted;
    }

    synchronized boolean tryTake(long n, long now) {
        refill(now);
        lastUsed = now;
        if (tokens >= n) {
            tokens -= n;
            return true;
        }
        return false;
    }

    /** Whole tokens there now. */
    synchronized long available(long now) {
        refill(now);
        return (long) Math.floor(tokens);
    }

    /** Nanos until the bucket is full again, 0 if it is. */
    synchronized long nanosUntilFull() {
        double missing = capacity - tokens;
        if (missing <= 0 || ratePerNano <= 0) {
            return 0;
        }
        return (long) Math.ceil(missing / ratePerNano);
    }

    /** Nanos until {@code n} tokens are there, 0 if they are; Long.MAX_VALUE if they never will be. */
    synchronized long nanosUntil(long n) {
        double missing = n - tokens;
        if (missing <= 0) {
            return 0;
        }
        if (n > capacity || ratePerNano <= 0) {
            return Long.MAX_VALUE;
        }
        return (long) Math.ceil(missing / ratePerNano);
    }
}
