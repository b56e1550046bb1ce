package io.dstk.benchmarks.ratelimit;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.ClusterRing;
import io.dstk.ratelimit.RateLimiter;
import io.dstk.ratelimit.cluster.ClusterRateLimiter;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * One key's {@code tryAcquire} on a {@link ClusterRateLimiter} with leased tokens (two members in one JVM, the key
 * owned by the other member, so batches come over the network in the background) next to a local token bucket
 * with the same limit. The limit (10^9/s) is never reached, so both always allow: this measures the decision
 * path, whose p99 target is within 2x the local one. Sample mode gives p50/p99.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests} then {@code java -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch -Djava.net.preferIPv4Stack=true -jar benchmarks/target/benchmarks.jar
 * ClusterRateLimiterBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClusterRateLimiterBenchmark {
    private static final long LIMIT = 1_000_000_000L;

    /** Which limiter decides. */
    @Param({"local-token-bucket", "cluster-leased"})
    public String impl;

    private Cluster a;
    private Cluster b;
    private ClusterRateLimiter owner;
    private ClusterRateLimiter cluster;
    private RateLimiter local;
    private String key;

    @Setup(Level.Trial)
    public void setUp() {
        if (impl.equals("local-token-bucket")) {
            local = RateLimiter.tokenBucket(LIMIT, LIMIT, Duration.ofSeconds(1)).build();
            return;
        }
        String name = "bench-ratelimit-" + ProcessHandle.current().pid();
        a = Cluster.join(ClusterConfig.localhost(name).nodeName("a").build());
        b = Cluster.join(ClusterConfig.localhost(name).nodeName("b").build());
        owner = ClusterRateLimiter.builder(b, "bench", LIMIT, Duration.ofSeconds(1)).build();
        cluster = ClusterRateLimiter.builder(a, "bench", LIMIT, Duration.ofSeconds(1)).build();
        key = "k";
        ClusterRing ring = ClusterRing.create(a);
        for (int i = 0; ring.current().nodeFor(key).name().equals("a"); i++) {
            key = "k" + i;
        }
        ring.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cluster.tryAcquire(key) && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // first lease on its way
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (cluster != null) {
            cluster.close();
            owner.close();
            a.close();
            b.close();
        }
    }

    /**
     * One decision.
     *
     * @return whether it was allowed
     */
    @Benchmark
    public boolean tryAcquire() {
        return local != null ? local.tryAcquire() : cluster.tryAcquire(key);
    }
}
