package io.dstk.benchmarks.ratelimit;

import io.dstk.ratelimit.RateLimiter;
import io.dstk.ratelimit.Ticker;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Single-limiter {@code tryAcquire()} (one permit, never blocking), side by side: our token bucket and GCRA, on
 * the exact clock and on {@code Ticker.coarse(1 ms)} (denials without a clock read), Bucket4j's token bucket (lock-free local bucket), Resilience4j's {@code AtomicRateLimiter} (timeout 0), Guava's
 * {@code RateLimiter}, and {@code System.nanoTime()} as the floor of any limiter that reads the clock per call.
 *
 * <p>{@code mode=allow}: a limit of about one permit per nanosecond, so every call is granted and moves the
 * state; {@code mode=deny}: one permit per hour, taken in setup, so every call is refused. All threads share one
 * limiter. This class runs at 1 thread; {@link RateLimiterBenchmark.TwoThreads} runs the same methods at 2.
 *
 * <p>Run (both thread counts in one run):
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -jar benchmarks/target/benchmarks.jar 'ratelimit.RateLimiterBenchmark' \
 *     -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
public class RateLimiterBenchmark {

    @Param({"allow", "deny"})
    public String mode;

    private RateLimiter dstkTokenBucket;
    private RateLimiter dstkGcra;
    private RateLimiter dstkTokenBucketCoarse;
    private RateLimiter dstkGcraCoarse;
    private Bucket bucket4j;
    private AtomicRateLimiter resilience4j;
    private com.google.common.util.concurrent.RateLimiter guava;

    /** Builds every contender, and drains them in {@code deny} mode. */
    @Setup(Level.Trial)
    public void setUp() {
        boolean allow = mode.equals("allow");
        Ticker coarse = Ticker.coarse(Duration.ofMillis(1));
        if (allow) {
            dstkTokenBucket = RateLimiter.tokenBucket(1_000_000_000, 1_000_000_000, Duration.ofSeconds(1)).build();
            dstkGcra = RateLimiter.gcra(1_000_000_000, Duration.ofSeconds(1)).build();
            dstkTokenBucketCoarse = RateLimiter.tokenBucket(1_000_000_000, 1_000_000_000, Duration.ofSeconds(1))
                    .ticker(coarse).build();
            dstkGcraCoarse = RateLimiter.gcra(1_000_000_000, Duration.ofSeconds(1)).ticker(coarse).build();
            bucket4j = Bucket.builder()
                    .addLimit(l -> l.capacity(1_000_000_000).refillGreedy(1_000_000_000, Duration.ofSeconds(1)))
                    .build();
            resilience4j = new AtomicRateLimiter("benchmark", RateLimiterConfig.custom()
                    .limitForPeriod(Integer.MAX_VALUE).limitRefreshPeriod(Duration.ofSeconds(1))
                    .timeoutDuration(Duration.ZERO).build());
            guava = com.google.common.util.concurrent.RateLimiter.create(1e9);
        } else {
            dstkTokenBucket = RateLimiter.tokenBucket(1, 1, Duration.ofHours(1)).build();
            dstkGcra = RateLimiter.gcra(1, Duration.ofHours(1)).build();
            dstkTokenBucketCoarse = RateLimiter.tokenBucket(1, 1, Duration.ofHours(1)).ticker(coarse).build();
            dstkGcraCoarse = RateLimiter.gcra(1, Duration.ofHours(1)).ticker(coarse).build();
            bucket4j = Bucket.builder().addLimit(l -> l.capacity(1).refillGreedy(1, Duration.ofHours(1))).build();
            resilience4j = new AtomicRateLimiter("benchmark", RateLimiterConfig.custom()
                    .limitForPeriod(1).limitRefreshPeriod(Duration.ofHours(1))
                    .timeoutDuration(Duration.ZERO).build());
            guava = com.google.common.util.concurrent.RateLimiter.create(1 / 3600.0);
            dstkTokenBucket.tryAcquire();
            dstkGcra.tryAcquire();
            dstkTokenBucketCoarse.tryAcquire();
            dstkGcraCoarse.tryAcquire();
            bucket4j.tryConsume(1);
            resilience4j.acquirePermission(1);
            guava.tryAcquire();
        }
        boolean expected = allow;
        if (dstkTokenBucket.tryAcquire() != expected || dstkGcra.tryAcquire() != expected
                || dstkTokenBucketCoarse.tryAcquire() != expected || dstkGcraCoarse.tryAcquire() != expected
                || bucket4j.tryConsume(1) != expected || resilience4j.acquirePermission(1) != expected
                || guava.tryAcquire() != expected) {
            throw new IllegalStateException("a contender does not " + mode);
        }
    }

    /** @return the clock reading, the floor for a limiter that reads the clock per call */
    @Benchmark
    public long nanoTimeBaseline() {
        return System.nanoTime();
    }

    /** @return whether our token bucket (greedy refill) granted the permit */
    @Benchmark
    public boolean dstkTokenBucket() {
        return dstkTokenBucket.tryAcquire();
    }

    /** @return whether our GCRA granted the permit */
    @Benchmark
    public boolean dstkGcra() {
        return dstkGcra.tryAcquire();
    }

    /** @return whether our token bucket on the coarse ticker granted the permit */
    @Benchmark
    public boolean dstkTokenBucketCoarse() {
        return dstkTokenBucketCoarse.tryAcquire();
    }

    /** @return whether our GCRA on the coarse ticker granted the permit */
    @Benchmark
    public boolean dstkGcraCoarse() {
        return dstkGcraCoarse.tryAcquire();
    }

    /** @return whether Bucket4j granted the permit */
    @Benchmark
    public boolean bucket4j() {
        return bucket4j.tryConsume(1);
    }

    /** @return whether Resilience4j granted the permit */
    @Benchmark
    public boolean resilience4j() {
        return resilience4j.acquirePermission(1);
    }

    /** @return whether Guava granted the permit */
    @Benchmark
    public boolean guava() {
        return guava.tryAcquire();
    }

    /** The same benchmarks with two threads sharing each limiter. */
    @Threads(2)
    public static class TwoThreads extends RateLimiterBenchmark {
    }
}
