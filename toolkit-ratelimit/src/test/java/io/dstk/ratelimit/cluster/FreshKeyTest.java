package io.dstk.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A key's first bucket on its owner: full on an owner that has owned the key's place for {@code leaseTtl +
 * capacity / rate}, empty right after an ownership change (limit 1000/s, capacity 1000, lease TTL 1 s, max batch
 * 100, so a stable owner is one that has owned the key for 2 s).
 */
class FreshKeyTest {
    private static final List<String> TWO = List.of("node-1", "node-2");
    private static final List<String> THREE = List.of("node-1", "node-2", "node-3");
    /** leaseTtl + capacity / rate, plus one step. */
    private static final long STABLE_NANOS = 2_000_000_000L + LimiterSim.STEP_NANOS;

    private static DefaultClusterRateLimiter limiter(LimiterSim sim, String member) {
        return (DefaultClusterRateLimiter) sim.limiters.get(member);
    }

    @Test
    void stableOwner_grantsABrandNewKeyItsFullCapacityAtOnce() {
        try (LimiterSim sim = new LimiterSim(2, UnaryOperator.identity(), LimiterSim::patientDetection)) {
            sim.now.addAndGet(STABLE_NANOS);
            List<String> keys = LimiterSim.keysOwned(TWO, "node-2", "fresh", 4);
            // the owner's bucket for a key it has never seen holds the whole capacity
            assertThat(limiter(sim, "node-2").grant(keys.get(0), 1000).granted()).isEqualTo(1000L);
            // the owner's own first call is admitted (it leases to itself within the call)
            assertThat(sim.limiters.get("node-2").tryAcquire(keys.get(1))).isTrue();
            // another member's first call is admitted when it may wait for its first lease
            assertThat(sim.limiters.get("node-1").tryAcquire(keys.get(2), 1, Duration.ofSeconds(60))).isTrue();
            // ...and its first lease is a whole batch
            var decision = sim.limiters.get("node-1").tryAcquireWithDecision(keys.get(3), 100, Duration.ofSeconds(60));
            assertThat(decision.allowed()).isTrue();
            assertThat(decision.remaining()).isZero();
            // without a wait, a member that holds no lease yet cannot admit: tryAcquire never waits. The owner's
            // bucket is held during the call, so the lease cannot come back (and be used) while the call runs.
            String another = LimiterSim.keysOwned(TWO, "node-2", "nowait", 1).get(0);
            limiter(sim, "node-2").grant(another, 1); // the owner's bucket for the key exists from now on
            synchronized (limiter(sim, "node-2").ownedBucket(another)) {
                assertThat(assertTimeoutPreemptively(Duration.ofSeconds(60),
                        () -> sim.limiters.get("node-1").tryAcquire(another))).isFalse();
            }
        }
    }

    @Test
    void keyFirstUsedRightAfterStart_startsEmptyAndFillsAtTheRate() {
        try (LimiterSim sim = new LimiterSim(1, UnaryOperator.identity(), LimiterSim::patientDetection)) {
            DefaultClusterRateLimiter only = limiter(sim, "node-1");
            assertThat(only.grant("early", 1000).granted()).isZero();
            // as if created empty leaseTtl after the start: half a second later, half a second's refill
            sim.now.addAndGet(1_500_000_000L);
            assertThat(only.grant("later", 1000).granted()).isBetween(499L, 500L);
        }
    }

    @Test
    void afterAJoin_newOwnerStartsEmpty_andAViewThatAddsMembersIsABreakForEveryKey() {
        String moved = LimiterSim.keyOwned(TWO, "node-1", THREE, "node-3");
        String stayed = LimiterSim.keyOwned(TWO, "node-2", THREE, "node-2");
        try (LimiterSim sim = new LimiterSim(2, UnaryOperator.identity(), LimiterSim::patientDetection)) {
            sim.now.addAndGet(STABLE_NANOS);
            sim.join("node-3");
            assertThat(limiter(sim, "node-3").grant(moved, 1000).granted()).isZero();
            // node-2 kept the key, but the new member might have owned it on its side of a partition (a merge)
            assertThat(limiter(sim, "node-2").grant(stayed, 1000).granted()).isZero();
            sim.now.addAndGet(STABLE_NANOS);
            String later = LimiterSim.keysOwned(THREE, "node-3", "later", 1).get(0);
            assertThat(limiter(sim, "node-3").grant(later, 1000).granted()).isEqualTo(1000L);
        }
    }

    @Test
    void afterACrash_theKeysThatMovedStartEmpty_theSurvivorsOwnKeysStillStartFull() {
        String moved = LimiterSim.keyOwned(THREE, "node-3", TWO, "node-1");
        String kept = LimiterSim.keyOwned(THREE, "node-1", TWO, "node-1");
        try (LimiterSim sim = new LimiterSim(3, UnaryOperator.identity())) {
            sim.now.addAndGet(STABLE_NANOS);
            sim.kill("node-3");
            sim.kit.awaitViews(TWO);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> limiter(sim, "node-1").epochs() == 2); // node-1 has taken the 2-member ring
            assertThat(limiter(sim, "node-1").grant(moved, 1000).granted()).isZero();
            assertThat(limiter(sim, "node-1").grant(kept, 1000).granted()).isEqualTo(1000L);
        }
    }

    @Test
    void keyUsedBeforeAndAcrossAnOwnershipChange_staysWithinTheBound_fromAFullStart() {
        // the join and crash bound trials of ClusterRateLimiterTest, with the first bucket starting full
        ClusterRateLimiterTest.ownerKilledTrial(STABLE_NANOS);
        ClusterRateLimiterTest.memberJoinsTrial(STABLE_NANOS);
    }
}
