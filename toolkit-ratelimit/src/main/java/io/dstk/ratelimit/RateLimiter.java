package io.dstk.ratelimit;

import java.time.Duration;

/**
 * A limit on how often permits are granted, for one resource (for one limit per user, IP or API key, see
 * {@link KeyedRateLimiter}).
 *
 * <p>Create one with the static factory named after its algorithm; each returns a {@link RateLimiterBuilder}:
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.tokenBucket(100, 10, Duration.ofSeconds(1)).build();
 * if (!limiter.tryAcquire()) {
 *     // refuse
 * }
 * }</pre>
 *
 * <table>
 * <caption>Algorithms</caption>
 * <tr><th>factory</th><th>what it allows</th><th>state</th></tr>
 * <tr><td>{@link #tokenBucket}</td><td>bursts up to the capacity, refilled greedily (continuously) or at
 *     interval boundaries</td><td>one {@code long}, lock-free</td></tr>
 * <tr><td>{@link #gcra}</td><td>the leaky bucket as a meter (ITU-T I.371 virtual scheduling): a steady rate
 *     with a burst tolerance; the same admission function as the greedy token bucket</td>
 *     <td>one {@code long}, lock-free</td></tr>
 * <tr><td>{@link #leakyBucketQueue}</td><td>the leaky bucket as a queue: callers wait in a bounded FIFO queue
 *     drained at the rate, so the output is smooth</td><td>a lock and a queue</td></tr>
 * <tr><td>{@link #fixedWindow}</td><td>a counter per window; up to twice the limit across a boundary</td>
 *     <td>one {@code long}, lock-free</td></tr>
 * <tr><td>{@link #slidingWindowLog}</td><td>exactly the limit in any window; one timestamp per permit</td>
 *     <td>{@code 8 x limit} bytes, a lock</td></tr>
 * <tr><td>{@link #slidingWindowCounter}</td><td>the previous window weighted by its overlap (Cloudflare's
 *     approximation of the log)</td><td>three numbers, a lock</td></tr>
 * </table>
 *
 * <h2>Thread safety</h2>
 * All implementations are thread safe. {@code tryAcquire} never waits for permits (the lock-based algorithms
 * hold their lock only while deciding) and, for the lock-free algorithms, never allocates.
 *
 * <h2>Failure behaviour</h2>
 * A request for more permits than the limit can ever grant is a programming error: it throws
 * {@link IllegalArgumentException} instead of being denied forever. Nothing else throws on the hot path.
 */
public interface RateLimiter {

    /**
     * Takes one permit if it is available now; never blocks.
     *
     * @return whether the permit was granted
     */
    boolean tryAcquire();

    /**
     * Takes {@code permits} permits if all are available now (all or nothing); never blocks.
     *
     * @param permits how many permits, at least 1
     * @return whether the permits were granted
     * @throws IllegalArgumentException if {@code permits} is not positive or exceeds the limit
     */
    boolean tryAcquire(int permits);

    /**
     * Takes {@code permits} permits if all are available now and reports the decision with what a
     * {@code 429} answer needs; never blocks. Allocates one small immutable object.
     *
     * @param permits how many permits, at least 1
     * @return the decision
     * @throws IllegalArgumentException if {@code permits} is not positive or exceeds the limit
     */
    RateLimitDecision tryAcquireWithDecision(int permits);

    /**
     * Takes {@code permits} permits, waiting up to {@code timeout} for them.
     *
     * <p>Fails fast: if the wait the limiter can predict already exceeds the timeout, it throws at once instead
     * of waiting in vain. The token bucket with greedy refill and GCRA reserve the permits and then wait (FIFO
     * among waiters); the leaky bucket queue waits in its queue; the others wait and retry. The timeout is
     * measured on the limiter's ticker and waits are real: with a manual ticker in tests, prefer the
     * non-blocking methods.
     *
     * @param permits how many permits, at least 1
     * @param timeout how long to wait at most, not negative
     * @throws RateLimitExceededException if the permits could not be granted in time (none were consumed)
     * @throws InterruptedException       if the thread was interrupted while waiting; permits already reserved
     *                                    stay consumed
     * @throws IllegalArgumentException   if {@code permits} is not positive or exceeds the limit, or the timeout
     *                                    is negative
     * @throws NullPointerException       if {@code timeout} is null
     */
    void acquire(int permits, Duration timeout) throws InterruptedException;

    /**
     * Returns the counts of allowed and denied attempts.
     *
     * @return the counts, or {@link RateLimiterStats#EMPTY} unless built with
     *         {@link RateLimiterBuilder#recordStats()}
     */
    RateLimiterStats stats();

    /**
     * Starts a token bucket: it holds up to {@code capacity} tokens, starts full, and gets
     * {@code refillTokens} tokens back every {@code refillPeriod}: greedily (one token every
     * {@code refillPeriod / refillTokens}, the default) or, with {@link RateLimiterBuilder#refillIntervally()},
     * all at once at each period boundary.
     *
     * <p>With greedy refill this is the same admission function as {@link #gcra}: a token bucket with
     * continuous refill and a GCRA with burst = capacity admit exactly the same requests.
     *
     * @param capacity     the maximum burst, at least 1
     * @param refillTokens tokens added per period, at least 1
     * @param refillPeriod the refill period, positive
     * @return a builder
     * @throws IllegalArgumentException if a value is out of range, or the rate exceeds one token per nanosecond
     * @throws NullPointerException     if {@code refillPeriod} is null
     */
    static RateLimiterBuilder tokenBucket(long capacity, long refillTokens, Duration refillPeriod) {
        return RateLimiterBuilder.tokenBucket(capacity, refillTokens, refillPeriod);
    }

    /**
     * Starts a GCRA (generic cell rate algorithm), which is the leaky bucket as a meter of ITU-T I.371: one
     * permit is due every emission interval {@code T = period / permits}; a request is conforming if it does
     * not arrive earlier than its theoretical arrival time minus the burst tolerance. The default burst is
     * {@code permits}; {@link RateLimiterBuilder#burst(long)} sets it ({@code 1} = strict pacing).
     *
     * @param permits permits per period, at least 1
     * @param period  the period, positive
     * @return a builder
     * @throws IllegalArgumentException if a value is out of range, or the rate exceeds one permit per nanosecond
     * @throws NullPointerException     if {@code period} is null
     */
    static RateLimiterBuilder gcra(long permits, Duration period) {
        return RateLimiterBuilder.gcra(permits, period);
    }

    /**
     * Starts a leaky bucket as a queue: permits leave at {@code permits / period}, one every
     * {@code period / permits}; {@link #acquire} callers wait in a FIFO queue of at most
     * {@link RateLimiterBuilder#queueCapacity(long) queueCapacity} permits (default {@code permits}), callers
     * that would overflow it are refused at once; {@link #tryAcquire()} succeeds only if the queue is empty and
     * the next departure is due.
     *
     * @param permits permits per period, at least 1
     * @param period  the period, positive
     * @return a builder
     * @throws IllegalArgumentException if a value is out of range, or the rate exceeds one permit per nanosecond
     * @throws NullPointerException     if {@code period} is null
     */
    static RateLimiterBuilder leakyBucketQueue(long permits, Duration period) {
        return RateLimiterBuilder.leakyBucketQueue(permits, period);
    }

    /**
     * Starts a fixed window counter: at most {@code limit} permits in each window of length {@code window}.
     * Windows are aligned to the moment the limiter is built. Across a window boundary up to {@code 2 x limit}
     * permits can pass within one window length.
     *
     * @param limit  permits per window, 1 to {@link Integer#MAX_VALUE}
     * @param window the window length, positive
     * @return a builder
     * @throws IllegalArgumentException if a value is out of range
     * @throws NullPointerException     if {@code window} is null
     */
    static RateLimiterBuilder fixedWindow(long limit, Duration window) {
        return RateLimiterBuilder.fixedWindow(limit, window);
    }

    /**
     * Starts a sliding window log: at most {@code limit} permits in any interval of length {@code window},
     * exactly. It keeps the timestamp of each granted permit still in the window, so its memory is capped at
     * {@code 8 x limit} bytes.
     *
     * @param limit  permits per window, 1 to {@value RateLimiterBuilder#MAX_LOG_LIMIT}
     * @param window the window length, positive
     * @return a builder
     * @throws IllegalArgumentException if a value is out of range
     * @throws NullPointerException     if {@code window} is null
     */
    static RateLimiterBuilder slidingWindowLog(long limit, Duration window) {
        return RateLimiterBuilder.slidingWindowLog(limit, window);
    }

    /**
     * Starts a sliding window counter (Cloudflare's): it counts permits in fixed windows and estimates the
     * sliding window as {@code previous x (1 - elapsed / window) + current}; a request is granted if the
     * estimate plus its permits stays within {@code limit}. It never allows more than the limit in an aligned
     * window, and its error against the exact log assumes the previous window's permits were spread evenly.
     *
     * @param limit  permits per window, at least 1
     * @param window the window length, positive
     * @return a builder
     * @throws IllegalArgumentException if a value is out of range
     * @throws NullPointerException     if {@code window} is null
     */
    static RateLimiterBuilder slidingWindowCounter(long limit, Duration window) {
        return RateLimiterBuilder.slidingWindowCounter(limit, window);
    }
}
