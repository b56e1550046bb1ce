package io.dstk.benchmarks.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dstk.ratelimit.KeyedRateLimiter;
import io.dstk.ratelimit.RateLimiter;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Keyed {@code tryAcquire(key)} over 100,000 keys visited in a random order: our {@link KeyedRateLimiter}
 * (GCRA per key) against Bucket4j buckets held in a Caffeine cache configured the same way (at most 200,000
 * keys, expire 1 min after access, so no key expires during a run even on a slow machine; 1,000 permits per
 * second per key, so every call is granted).
 *
 * <p>Bucket4j's own Caffeine-backed proxy manager ({@code bucket4j_jdk17-caffeine}) resolves only up to 8.15.0
 * and would clash with the 8.19.0 core we compare against elsewhere, so the peer here is the fair equivalent:
 * {@code cache.get(key, k -> newBucket()).tryConsume(1)}, the same cache lookup we do.
 *
 * <p>Run:
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -jar benchmarks/target/benchmarks.jar 'ratelimit.KeyedRateLimiterBenchmark' \
 *     -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
public class KeyedRateLimiterBenchmark {
    private static final int KEYS = 100_000;
    private static final int ORDER = 1 << 20;

    private Integer[] order;
    private KeyedRateLimiter<Integer> dstk;
    private Cache<Integer, Bucket> bucket4jCache;
    private Function<Integer, Bucket> newBucket;

    /** Each thread walks the shared random key order from its own position. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        /** Starts the thread at a random position. */
        @Setup(Level.Trial)
        public void setUp() {
            next = new SplittableRandom(Thread.currentThread().getId()).nextInt(ORDER);
        }
    }

    /** Builds both keyed limiters and touches every key once. */
    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        Integer[] keys = new Integer[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = i;
        }
        order = new Integer[ORDER];
        for (int i = 0; i < ORDER; i++) {
            order[i] = keys[random.nextInt(KEYS)];
        }
        dstk = KeyedRateLimiter.builder(RateLimiter.gcra(1_000, Duration.ofSeconds(1)))
                .maximumKeys(2L * KEYS).expireAfterIdle(Duration.ofMinutes(1)).build();
        bucket4jCache = Caffeine.newBuilder().maximumSize(2L * KEYS).expireAfterAccess(1, TimeUnit.MINUTES).build();
        newBucket = k -> Bucket.builder().addLimit(l -> l.capacity(1_000).refillGreedy(1_000, Duration.ofSeconds(1)))
                .build();
        for (Integer key : keys) {
            dstk.tryAcquire(key);
            bucket4jCache.get(key, newBucket).tryConsume(1);
        }
    }

    private Integer key(Cursor cursor) {
        int i = cursor.next;
        cursor.next = (i + 1) & (ORDER - 1);
        return order[i];
    }

    /**
     * @param cursor this thread's position in the key order
     * @return whether our keyed limiter granted the permit
     */
    @Benchmark
    public boolean dstkKeyedGcra(Cursor cursor) {
        return dstk.tryAcquire(key(cursor));
    }

    /**
     * @param cursor this thread's position in the key order
     * @return whether the Bucket4j bucket of the key granted the permit
     */
    @Benchmark
    public boolean bucket4jInCaffeine(Cursor cursor) {
        return bucket4jCache.get(key(cursor), newBucket).tryConsume(1);
    }
}
