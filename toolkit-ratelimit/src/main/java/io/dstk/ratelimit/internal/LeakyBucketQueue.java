package io.dstk.ratelimit.internal;

import io.dstk.ratelimit.RateLimitDecision;
import io.dstk.ratelimit.RateLimitExceededException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/*
 * Leaky bucket as a queue: a FIFO of waiting callers, drained at one permit per emission interval T.
 * 'nextFree' is the earliest ticker reading at which the head may leave; a caller of n permits that leaves at d
 * sets nextFree = d + n x T. The head waits for nextFree, the others for a departure; a waiter that times out
 * or is interrupted removes itself. tryAcquire passes only when nobody waits and the next departure is due,
 * so it never overtakes the queue.
 */
final class LeakyBucketQueue extends AbstractLimiter {

    private static final class Waiter {
        final int permits;

        Waiter(int permits) {
            this.permits = permits;
        }
    }

    private final LimiterSpec spec;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition departed = lock.newCondition();
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private long queuedPermits;
    private long nextFree;

    LeakyBucketQueue(LimiterSpec spec) {
        this.spec = spec;
        this.nextFree = spec.ticker.read();
    }

    @Override
    public LimiterSpec spec() {
        return spec;
    }

    @Override
    public boolean tryAcquire(int permits) {
        checkPermits(permits);
        lock.lock();
        try {
            long now = spec.ticker.read();
            if (queue.isEmpty() && nextFree - now <= 0) {
                nextFree = now + permits * spec.intervalNanos;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public RateLimitDecision tryAcquireWithDecision(int permits) {
        checkPermits(permits);
        lock.lock();
        try {
            long now = spec.ticker.read();
            if (queue.isEmpty() && nextFree - now <= 0) {
                nextFree = now + permits * spec.intervalNanos;
                // nothing more may leave before nextFree: 'remaining' counts what could pass right now
                return new RateLimitDecision(true, spec.limit, 0, 0, nextFree - now);
            }
            long drain = drainTime(now);
            return new RateLimitDecision(false, spec.limit, 0, drain, drain);
        } finally {
            lock.unlock();
        }
    }

    /** Time until everybody queued has left and the next departure is due. */
    private long drainTime(long now) {
        return Math.max(0, nextFree - now) + queuedPermits * spec.intervalNanos;
    }

    @Override
    public void acquire(int permits, Duration timeout) throws InterruptedException {
        long timeoutNanos = timeoutNanos(timeout);
        checkPermits(permits);
        lock.lock();
        try {
            long now = spec.ticker.read();
            if (queue.isEmpty() && nextFree - now <= 0) {
                nextFree = now + permits * spec.intervalNanos;
                return;
            }
            long wait = drainTime(now);
            if (queuedPermits + permits > spec.queueCapacity) {
                throw new RateLimitExceededException("leaky bucket queue is full ("
                        + queuedPermits + " of " + spec.queueCapacity + " permits waiting); " + permits
                        + " permit(s) refused", wait);
            }
            if (wait > timeoutNanos) {
                throw exceeded(permits, timeout, wait);
            }
            Waiter me = new Waiter(permits);
            queue.addLast(me);
            queuedPermits += permits;
            long deadline = now + timeoutNanos;
            boolean left = false;
            try {
                for (;;) {
                    now = spec.ticker.read();
                    boolean head = queue.peekFirst() == me;
                    if (head && nextFree - now <= 0) {
                        queue.pollFirst();
                        queuedPermits -= permits;
                        nextFree = now + permits * spec.intervalNanos;
                        left = true;
                        departed.signalAll();
                        return;
                    }
                    long remaining = deadline - now;
                    if (remaining <= 0) {
                        throw exceeded(permits, timeout, drainTime(now));
                    }
                    departed.awaitNanos(head ? Math.min(nextFree - now, remaining) : remaining);
                }
            } finally {
                if (!left) {
                    queue.remove(me);
                    queuedPermits -= permits;
                    departed.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
