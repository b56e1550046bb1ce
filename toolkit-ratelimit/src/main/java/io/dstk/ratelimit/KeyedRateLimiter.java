package io.dstk.ratelimit;

import java.time.Duration;

/**
 * One rate limit per key (user, IP address, API key), with bounded memory: at most
 * {@link KeyedRateLimiterBuilder#maximumKeys(long) maximumKeys} keys are tracked, and a key idle long enough to
 * have its full limit back is forgotten.
 *
 * <pre>{@code
 * KeyedRateLimiter<String> perUser = KeyedRateLimiter
 *         .builder(RateLimiter.gcra(100, Duration.ofMinutes(1)))
 *         .maximumKeys(100_000)
 *         .build();
 * if (!perUser.tryAcquire(userId)) {
 *     // 429
 * }
 * }</pre>
 *
 * <h2>Accuracy</h2>
 * Each key behaves exactly like its own {@link RateLimiter} built from the same builder, with one exception:
 * when more than {@code maximumKeys} keys are active, the cache evicts the least valuable ones (Caffeine's
 * W-TinyLFU) and an evicted key that comes back starts full. Size the maximum above the number of keys active
 * within one refill time. Idle expiry never loses usage: it is never shorter than the time a key needs to be
 * back to its full limit.
 *
 * <h2>Thread safety</h2>
 * Thread safe; calls for different keys do not contend on the limiter state (the cache itself is concurrent).
 * {@code tryAcquire} never waits for permits; for a key already tracked the limiter allocates nothing (the
 * cache's own maintenance allocates now and then: under 1 byte per call on average, measured).
 *
 * <h2>Failure behaviour</h2>
 * A null key throws {@link NullPointerException}; permits out of range throw {@link IllegalArgumentException}
 * as for {@link RateLimiter}; nothing is stored for a rejected call.
 *
 * @param <K> the key type; keys must have consistent {@code equals} and {@code hashCode}
 */
public interface KeyedRateLimiter<K> {

    /**
     * Takes one permit for {@code key} if available now; never blocks.
     *
     * @param key the key
     * @return whether the permit was granted
     * @throws NullPointerException if {@code key} is null
     */
    boolean tryAcquire(K key);

    /**
     * Takes {@code permits} permits for {@code key} if all are available now; never blocks.
     *
     * @param key     the key
     * @param permits how many, at least 1 and at most the limit
     * @return whether the permits were granted
     * @throws NullPointerException     if {@code key} is null
     * @throws IllegalArgumentException if {@code permits} is out of range
     */
    boolean tryAcquire(K key, int permits);

    /**
     * Like {@link RateLimiter#tryAcquireWithDecision(int)}, for {@code key}.
     *
     * @param key     the key
     * @param permits how many, at least 1 and at most the limit
     * @return the decision
     * @throws NullPointerException     if {@code key} is null
     * @throws IllegalArgumentException if {@code permits} is out of range
     */
    RateLimitDecision tryAcquireWithDecision(K key, int permits);

    /**
     * Like {@link RateLimiter#acquire(int, Duration)}, for {@code key}.
     *
     * @param key     the key
     * @param permits how many, at least 1 and at most the limit
     * @param timeout how long to wait at most
     * @throws RateLimitExceededException if the permits could not be granted in time
     * @throws InterruptedException       if interrupted while waiting
     * @throws NullPointerException       if {@code key} or {@code timeout} is null
     * @throws IllegalArgumentException   if {@code permits} is out of range or the timeout negative
     */
    void acquire(K key, int permits, Duration timeout) throws InterruptedException;

    /**
     * Returns about how many keys are tracked (expired keys are cleaned up first).
     *
     * @return the estimated number of keys
     */
    long estimatedKeyCount();

    /**
     * Returns the counts over all keys.
     *
     * @return the counts, or {@link RateLimiterStats#EMPTY} unless built with {@code recordStats()}
     */
    RateLimiterStats stats();

    /**
     * Returns the counts of one key since it was last created (an evicted or expired key starts again at
     * zero).
     *
     * @param key the key
     * @return the counts, or {@link RateLimiterStats#EMPTY} if the key is not tracked or unless built with
     *         {@link KeyedRateLimiterBuilder#recordStatsPerKey()}
     * @throws NullPointerException if {@code key} is null
     */
    RateLimiterStats stats(K key);

    /**
     * Starts a keyed limiter; every key gets a limiter configured like {@code perKey} (its ticker too). The
     * builder's configuration is copied when {@link KeyedRateLimiterBuilder#build()} is called.
     *
     * @param perKey the configuration of each key's limiter
     * @return a builder
     * @throws NullPointerException if {@code perKey} is null
     */
    static KeyedRateLimiterBuilder builder(RateLimiterBuilder perKey) {
        return new KeyedRateLimiterBuilder(perKey);
    }
}
