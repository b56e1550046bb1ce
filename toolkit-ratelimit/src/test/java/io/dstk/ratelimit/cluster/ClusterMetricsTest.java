package io.dstk.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dstk.membership.TestCluster;
import io.dstk.ratelimit.micrometer.ClusterRateLimitMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClusterMetricsTest {

    @Test
    void leaseRequestsAndLatency_areExportedUnderDstkRatelimit() {
        try (TestCluster kit = TestCluster.start(2)) {
            AtomicLong now = new AtomicLong();
            String key = LimiterSim.keyOwned(List.of("node-1", "node-2"), "node-2",
                    List.of("node-1", "node-2"), "node-2");
            try (ClusterRateLimiter owner = ClusterRateLimiter.builder(kit.member("node-2"), "m", 100,
                    Duration.ofSeconds(1)).ticker(now::get).build();
                 ClusterRateLimiter limiter = ClusterRateLimiter.builder(kit.member("node-1"), "m", 100,
                         Duration.ofSeconds(1)).ticker(() -> now.addAndGet(1000)).build()) {
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                ClusterRateLimitMetrics.bind(limiter, "m", registry);
                limiter.tryAcquire(key);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> limiter.stats().leaseRequests() == 1);
                assertThat(registry.get("dstk.ratelimit.lease.requests").tag("result", "completed")
                        .functionCounter().count()).isEqualTo(1.0);
                assertThat(registry.get("dstk.ratelimit.lease.latency").functionTimer().count()).isEqualTo(1.0);
                assertThat(registry.get("dstk.ratelimit.lease.latency").functionTimer()
                        .totalTime(TimeUnit.NANOSECONDS)).isPositive();
                assertThat(registry.get("dstk.ratelimit.requests").tag("result", "denied").functionCounter()
                        .count()).isEqualTo(1.0);
                assertThat(owner.stats().leaseRequests()).isZero();
            }
        }
    }
}
