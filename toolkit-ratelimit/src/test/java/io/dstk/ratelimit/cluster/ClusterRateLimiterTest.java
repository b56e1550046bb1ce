package io.dstk.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dstk.membership.TestCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ClusterRateLimiterTest {
    /** 2000 calls per second against a limit of 1000/s, skewed 70 / 25 / 5 %. */
    static final Map<String, Integer> SKEWED = Map.of("node-1", 14, "node-2", 5, "node-3", 1);

    @Test
    void leasedTokens_skewedLoadOnThreeMembers_staysWithinFivePercentOfTheLimitOverTenSeconds() {
        // no member fails here: a spurious suspicion on a loaded machine would move the key mid-run
        try (LimiterSim sim = new LimiterSim(3, UnaryOperator.identity(), LimiterSim::patientDetection)) {
            Map<String, Long> admitted = sim.run(Duration.ofSeconds(10), SKEWED, "tenant-1");
            long total = LimiterSim.total(admitted);
            assertThat(total).isBetween(9_500L, 10_500L);
            // every member got some: low-demand members are not starved by the busy one
            assertThat(admitted.get("node-3")).isGreaterThan(100L);
            ClusterRateLimiterStats stats = sim.limiters.get("node-1").stats();
            assertThat(stats.allowed()).isEqualTo(admitted.get("node-1"));
            assertThat(stats.leaseRequests()).isPositive().isLessThan(1000L); // batches, not one per call
        }
    }

    @Test
    void leasedTokens_ownerKilled_overAdmissionStaysWithinTheBound() {
        ownerKilledTrial();
    }

    static void ownerKilledTrial() {
        ownerKilledTrial(0);
    }

    /** The crash trial; the members first idle for {@code idleNanos} (long enough, and the key starts full). */
    static void ownerKilledTrial(long idleNanos) {
        List<String> three = List.of("node-1", "node-2", "node-3");
        String key = LimiterSim.keyOwned(three, "node-3", List.of("node-1", "node-2"), "node-1");
        try (LimiterSim sim = new LimiterSim(3,
                b -> b.onOwnerUnreachable(ClusterRateLimiter.OwnerUnreachable.FAIL_CLOSED))) {
            sim.now.addAndGet(idleNanos);
            Map<String, Integer> demand = Map.of("node-1", 10, "node-2", 10, "node-3", 10);
            Map<String, Long> admitted = new HashMap<>(sim.run(Duration.ofSeconds(2), demand, key));
            Map<String, Integer> epochs = sim.epochs();
            sim.kill("node-3");
            long steps = 0;
            while (sim.kit.member("node-1").view().size() != 2 || sim.kit.member("node-2").view().size() != 2) {
                sim.step(demand, key, admitted);
                steps++;
            }
            sim.awaitRingChange(epochs);
            Map<String, Long> after = sim.run(Duration.ofSeconds(3), demand, key);
            after.forEach((k, v) -> admitted.merge(k, v, Long::sum));
            Duration virtual = Duration.ofNanos((200 + steps + 300) * LimiterSim.STEP_NANOS);
            long bound = sim.limiters.get("node-1").overAdmissionBound(3, virtual);
            assertThat(LimiterSim.total(admitted)).isLessThanOrEqualTo(bound);
            // the new owner serves: a key it has just taken over starts empty and fills only after leaseTtl (1 s), so
            // over the 3 s after the view the survivors get about (3 s - 1 s) x 1000/s, plus what their leases held
            assertThat(LimiterSim.total(after)).isGreaterThan(1_500L);
        }
    }

    @Test
    void leasedTokens_memberJoinsAndTakesTheKey_overAdmissionStaysWithinTheBound() {
        memberJoinsTrial(0);
    }

    /** The join trial; the members first idle for {@code idleNanos} (long enough, and the key starts full). */
    static void memberJoinsTrial(long idleNanos) {
        String key = LimiterSim.keyOwned(List.of("node-1", "node-2"), "node-1",
                List.of("node-1", "node-2", "node-3"), "node-3");
        // a join, no failure: a spurious suspicion on a loaded machine would move the key once more
        try (LimiterSim sim = new LimiterSim(2, UnaryOperator.identity(), LimiterSim::patientDetection)) {
            sim.now.addAndGet(idleNanos);
            Map<String, Integer> demand = Map.of("node-1", 10, "node-2", 10, "node-3", 10);
            Map<String, Long> admitted = new HashMap<>(sim.run(Duration.ofSeconds(2), demand, key));
            sim.join("node-3");
            Map<String, Long> after = sim.run(Duration.ofSeconds(3), demand, key);
            after.forEach((k, v) -> admitted.merge(k, v, Long::sum));
            long bound = sim.limiters.get("node-1").overAdmissionBound(3, Duration.ofSeconds(5));
            assertThat(LimiterSim.total(admitted)).isLessThanOrEqualTo(bound);
            assertThat(LimiterSim.total(after)).isBetween(2_700L, 3_300L);
            assertThat(after.get("node-3")).isPositive();
        }
    }

    @Test
    void leasedTokens_partitionedSidesScaleToTheirShare_totalStaysWithinTheLimit() {
        partitionTrial();
    }

    static void partitionTrial() {
        try (LimiterSim sim = new LimiterSim(3, b -> b.expectedMembers(3))) {
            Map<String, Integer> demand = Map.of("node-1", 10, "node-2", 10, "node-3", 10);
            sim.run(Duration.ofSeconds(1), demand, "tenant-1");
            Map<String, Integer> epochs = sim.epochs();
            sim.kit.partition(List.of("node-1", "node-2"), List.of("node-3"));
            sim.kit.awaitViews(List.of("node-1", "node-2"), List.of("node-3"));
            sim.awaitRingChange(epochs);
            Map<String, Long> during = sim.run(Duration.ofSeconds(5), demand, "tenant-1");
            // unscaled, each side would enforce the full limit: about 10 000 together
            long bound = sim.limiters.get("node-1").overAdmissionBound(3, Duration.ofSeconds(5));
            assertThat(LimiterSim.total(during)).isLessThanOrEqualTo(bound);
            assertThat(during.get("node-3")).isBetween(1_000L, 2_100L); // its third of 5000, plus old leases
            // the side with quorum keeps only its two thirds too (the full limit there would exceed the total)
            long majority = during.get("node-1") + during.get("node-2");
            long majorityShare = (LimiterSim.LIMIT + LimiterSim.LIMIT * 5) * 2 / 3;
            assertThat(majority).isBetween(majorityShare * 2 / 3, majorityShare + 3 * LimiterSim.LIMIT / 10);
        }
    }

    @Test
    void evenSplit_eachMemberGetsItsShare_andRebalancesOnViewChange() {
        try (LimiterSim sim = new LimiterSim(3, b -> b.strategy(ClusterRateLimiter.Strategy.EVEN_SPLIT))) {
            Map<String, Long> admitted = sim.run(Duration.ofSeconds(2), SKEWED, "tenant-1");
            // node-1 asks for 1400/s but only has 1000/3: inaccurate under skew, never over the limit
            assertThat(admitted.get("node-1")).isBetween(333L + 600, 333L + 700);
            assertThat(LimiterSim.total(admitted))
                    .isLessThanOrEqualTo(sim.limiters.get("node-1").overAdmissionBound(3, Duration.ofSeconds(2)));
            Map<String, Integer> epochs = sim.epochs();
            sim.kill("node-3");
            sim.kit.awaitViews(List.of("node-1", "node-2"));
            sim.awaitRingChange(epochs); // node-1's share grows only once its limiter has taken the new view
            Map<String, Long> after = sim.run(Duration.ofSeconds(2), Map.of("node-1", 14), "tenant-1");
            assertThat(after.get("node-1")).isBetween(900L, 1_000L); // 1000/2 per second
        }
    }

    @Test
    void ownerUnreachable_policiesDecide() {
        try (TestCluster kit = TestCluster.start(2)) {
            AtomicLong now = new AtomicLong();
            // node-2 runs no limiter of these names: its answers fail, as if it could not be reached
            String key = LimiterSim.keyOwned(List.of("node-1", "node-2"), "node-2", List.of("node-1", "node-2"),
                    "node-2");
            Map<ClusterRateLimiter.OwnerUnreachable, Long> admitted = new HashMap<>();
            for (ClusterRateLimiter.OwnerUnreachable policy : ClusterRateLimiter.OwnerUnreachable.values()) {
                try (ClusterRateLimiter limiter = ClusterRateLimiter.builder(kit.member("node-1"),
                        "policy-" + policy.ordinal(), 100, Duration.ofSeconds(1)).ticker(now::get)
                        .onOwnerUnreachable(policy).build()) {
                    long n = 0;
                    for (int step = 0; step < 100; step++) {
                        for (int i = 0; i < 10; i++) {
                            n += limiter.tryAcquire(key) ? 1 : 0;
                        }
                        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                                .until(() -> ((DefaultClusterRateLimiter) limiter).leasesInFlight() == 0);
                        now.addAndGet(LimiterSim.STEP_NANOS);
                    }
                    admitted.put(policy, n);
                    assertThat(limiter.stats().leaseFailures()).isPositive();
                }
            }
            assertThat(admitted.get(ClusterRateLimiter.OwnerUnreachable.FAIL_OPEN)).isGreaterThan(950L);
            assertThat(admitted.get(ClusterRateLimiter.OwnerUnreachable.FAIL_CLOSED)).isZero();
            // its even share: 100/s over 2 members for 1 s
            assertThat(admitted.get(ClusterRateLimiter.OwnerUnreachable.LOCAL_FALLBACK)).isBetween(40L, 51L);
        }
    }

    @Test
    void manyKeys_stateStaysBoundedByMaxKeys_andNewKeysStillWork() {
        try (TestCluster kit = TestCluster.start(1)) {
            AtomicLong now = new AtomicLong();
            for (ClusterRateLimiter.Strategy strategy : ClusterRateLimiter.Strategy.values()) {
                try (ClusterRateLimiter limiter = ClusterRateLimiter.builder(kit.member("node-1"), "keys-" + strategy,
                        100, Duration.ofSeconds(1)).ticker(now::get).strategy(strategy).maxKeys(16).build()) {
                    for (int i = 0; i < 500; i++) {
                        limiter.tryAcquire("user-" + i);
                        now.addAndGet(1_000_000);
                    }
                    int[] counts = ((DefaultClusterRateLimiter) limiter).keyCounts();
                    assertThat(java.util.Arrays.stream(counts).max().orElseThrow()).isLessThanOrEqualTo(16 + 2);
                    // a key in steady use keeps working after the churn
                    boolean admitted = false;
                    for (int i = 0; i < 5; i++) {
                        now.addAndGet(100_000_000L); // the owner's new bucket fills at 100/s
                        admitted |= limiter.tryAcquire("steady");
                    }
                    assertThat(admitted).isTrue();
                }
            }
        }
    }

    @Test
    void badInput_isRejectedWithTheValueNamed() {
        try (TestCluster kit = TestCluster.start(1)) {
            var cluster = kit.member("node-1");
            assertThatThrownBy(() -> ClusterRateLimiter.builder(cluster, "x", 0, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit").hasMessageContaining("0");
            assertThatThrownBy(() -> ClusterRateLimiter.builder(cluster, "bad name", 1, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad name");
            assertThatThrownBy(() -> ClusterRateLimiter.builder(cluster, "x", 1, Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period");
            assertThatThrownBy(() -> ClusterRateLimiter.builder(cluster, "x", 10, Duration.ofSeconds(1))
                    .maxBatch(11).build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("11");
            try (ClusterRateLimiter limiter = ClusterRateLimiter.builder(cluster, "x", 10, Duration.ofSeconds(1))
                    .build()) {
                assertThatThrownBy(() -> limiter.tryAcquire(null)).isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("key");
                assertThatThrownBy(() -> limiter.tryAcquire("k", 0)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("permits");
            }
        }
    }
}
