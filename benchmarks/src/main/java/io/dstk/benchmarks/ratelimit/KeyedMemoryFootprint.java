package io.dstk.benchmarks.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dstk.ratelimit.KeyedRateLimiter;
import io.dstk.ratelimit.RateLimiter;
import io.dstk.ratelimit.RateLimiterBuilder;
import io.github.bucket4j.Bucket;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Measures the heap each key costs in a {@link KeyedRateLimiter}, per algorithm, and for comparison a Bucket4j
 * bucket per key in a Caffeine cache configured the same way (bounded, expire after access).
 *
 * <p>Method: 100,000 distinct keys (boxed {@code Integer}s allocated before the first measurement, so they are
 * not counted) each take one permit; the heap in use after three {@code System.gc()} calls is compared with
 * the heap before. "state" is the limiter object alone (100,000 of them in an array); "per key" adds the cache
 * entry (Caffeine node, table slot, expiry and frequency bookkeeping). No JOL needed; expect a few bytes of
 * noise. Keys are {@code Integer}s: a key's own size comes on top.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -Xms1g -Xmx1g -XX:+AlwaysPreTouch
 * -cp benchmarks/target/benchmarks.jar io.dstk.benchmarks.ratelimit.KeyedMemoryFootprint}
 */
public final class KeyedMemoryFootprint {
    private static final int KEYS = 100_000;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private KeyedMemoryFootprint() {
    }

    /**
     * Prints one Markdown table row per algorithm.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Integer[] keys = new Integer[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = 1_000_000 + i;
        }
        Map<String, Supplier<RateLimiterBuilder>> algorithms = new LinkedHashMap<>();
        algorithms.put("tokenBucket (greedy)", () -> RateLimiter.tokenBucket(10, 10, Duration.ofSeconds(1)));
        algorithms.put("tokenBucket (intervally)",
                () -> RateLimiter.tokenBucket(10, 10, Duration.ofSeconds(1)).refillIntervally());
        algorithms.put("gcra", () -> RateLimiter.gcra(10, Duration.ofSeconds(1)));
        algorithms.put("fixedWindow", () -> RateLimiter.fixedWindow(10, Duration.ofSeconds(1)));
        algorithms.put("slidingWindowCounter", () -> RateLimiter.slidingWindowCounter(10, Duration.ofSeconds(1)));
        algorithms.put("slidingWindowLog (limit 10, 1 permit used)",
                () -> RateLimiter.slidingWindowLog(10, Duration.ofSeconds(1)));
        algorithms.put("leakyBucketQueue", () -> RateLimiter.leakyBucketQueue(10, Duration.ofSeconds(1)));

        System.out.println("| algorithm | state (B/key) | per key in KeyedRateLimiter (B/key) |");
        System.out.println("|---|---|---|");
        for (Map.Entry<String, Supplier<RateLimiterBuilder>> e : algorithms.entrySet()) {
            RateLimiterBuilder shared = e.getValue().get();
            shared.build(); // the configuration all limiters of this builder share is not per-key memory
            long state = measure(() -> {
                RateLimiter[] limiters = new RateLimiter[KEYS];
                for (int i = 0; i < KEYS; i++) {
                    limiters[i] = shared.build();
                    limiters[i].tryAcquire();
                }
                return limiters;
            }) - 4; // minus the array slot (compressed oops)
            long keyed = measure(() -> {
                KeyedRateLimiter<Integer> limiter = KeyedRateLimiter.builder(e.getValue().get())
                        .maximumKeys(2L * KEYS).build();
                for (Integer key : keys) {
                    limiter.tryAcquire(key);
                }
                limiter.estimatedKeyCount();
                return limiter;
            });
            System.out.printf("| %s | %d | %d |%n", e.getKey(), state, keyed);
        }
        long bucket4j = measure(() -> {
            Cache<Integer, Bucket> cache = Caffeine.newBuilder().maximumSize(2L * KEYS)
                    .expireAfterAccess(1, TimeUnit.SECONDS).build();
            for (Integer key : keys) {
                cache.get(key, k -> Bucket.builder()
                        .addLimit(l -> l.capacity(10).refillGreedy(10, Duration.ofSeconds(1))).build())
                        .tryConsume(1);
            }
            cache.cleanUp();
            return cache;
        });
        System.out.printf("| Bucket4j bucket in a Caffeine cache (peer) | - | %d |%n", bucket4j);
        if (keys.length != KEYS) {
            throw new AssertionError(); // keeps the keys reachable until here
        }
    }

    private static long measure(Supplier<Object> allocate) {
        long before = usedAfterGc();
        Object kept = allocate.get();
        long after = usedAfterGc();
        long perKey = Math.round((after - before) / (double) KEYS);
        if (kept.hashCode() == 42) {
            System.out.print(""); // keeps 'kept' reachable across the measurement
        }
        return perKey;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
