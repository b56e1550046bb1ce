package io.dstk.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.dstk.membership.RequestPolicy;
import io.dstk.membership.TestCluster;
import io.dstk.ratelimit.RateLimitDecision;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The decision form and the bounded wait for a first lease, on two members (limit 10/s, capacity 10, max batch 5,
 * lease TTL 1 s) in virtual time; node-2 owns every key used here, node-1 leases from it.
 */
class ClusterDecisionTest {
    private static final List<String> TWO = List.of("node-1", "node-2");
    private static final Duration LONG_WAIT = Duration.ofMinutes(10);
    /** Ceiling for calls that must not wait: far below LONG_WAIT, far above any scheduling delay. */
    private static final Duration NO_WAIT = Duration.ofSeconds(60);
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1L << 40);
    private TestCluster kit;
    private ClusterRateLimiter member;
    private DefaultClusterRateLimiter owner;

    @BeforeEach
    void start() {
        kit = TestCluster.start(2, LimiterSim::patientDetection); // a spurious suspicion would move the keys
        owner = (DefaultClusterRateLimiter) build("node-2", ClusterRateLimiter.Strategy.LEASED_TOKENS);
        member = build("node-1", ClusterRateLimiter.Strategy.LEASED_TOKENS);
        now.addAndGet(3 * SECOND); // a stable owner: fresh keys start full
    }

    private ClusterRateLimiter build(String node, ClusterRateLimiter.Strategy strategy) {
        // a long request timeout: a lease the test holds back stays in flight instead of failing
        return ClusterRateLimiter.builder(kit.member(node), "d-" + strategy, 10, Duration.ofSeconds(1))
                .maxBatch(5).strategy(strategy).ticker(now::get)
                .requestPolicy(RequestPolicy.defaults().withTimeout(Duration.ofMinutes(5))).build();
    }

    @AfterEach
    void stop() {
        member.close();
        owner.close();
        kit.close();
    }

    private static String key(String prefix) {
        return LimiterSim.keysOwned(TWO, "node-2", prefix, 1).get(0);
    }

    @Test
    void allowedDecisions_reportWhatIsLeftInTheLocalBatch() {
        String key = key("allowed");
        RateLimitDecision first = member.tryAcquireWithDecision(key, 1, NO_WAIT);
        assertThat(first.allowed()).isTrue();
        assertThat(first.limit()).isEqualTo(10L);
        assertThat(first.remaining()).isEqualTo(4L); // a first lease of maxBatch 5, one taken
        assertThat(first.retryAfterNanos()).isZero();
        RateLimitDecision second = member.tryAcquireWithDecision(key, 1);
        assertThat(second.allowed()).isTrue();
        assertThat(second.remaining()).isEqualTo(3L);
    }

    @Test
    void deniedAfterAShortLease_retryAfterIsTheOwnersHint() {
        String key = key("hint");
        assertThat(owner.grant(key, 10).granted()).isEqualTo(10L); // someone took the whole capacity
        RateLimitDecision d = member.tryAcquireWithDecision(key, 1, NO_WAIT);
        // the owner answered 0 of 5 and that 5 are there in 5 / (10/s)
        assertThat(d.allowed()).isFalse();
        assertThat(d.remaining()).isZero();
        assertThat((double) d.retryAfterNanos()).isCloseTo(SECOND / 2.0, within(1_000.0));
        assertThat(d.retryAfterSeconds()).isEqualTo(1L);
        // refused and it knows (no request goes out before the hint's retry interval): no wait, even when allowed
        assertThat(assertTimeoutPreemptively(NO_WAIT, () -> member.tryAcquire(key, 1, LONG_WAIT))).isFalse();
        now.addAndGet(SECOND / 10);
        assertThat((double) member.tryAcquireWithDecision(key, 1).retryAfterNanos())
                .isCloseTo(SECOND * 0.4, within(1_000.0));
    }

    @Test
    void deniedWithoutAHint_retryAfterIsTheMissingPermitsAtTheRate() {
        // no lease yet and no wait: 3 permits missing at 10/s. The test holds the owner's bucket during the call, so
        // the lease it asks for cannot come back while it runs (a call that finds its lease already there may use
        // it, which on a loaded machine, with the caller descheduled after sending, would admit).
        String key = key("nohint");
        owner.grant(key, 1); // the owner's bucket for the key exists from now on
        RateLimitDecision d;
        synchronized (owner.ownedBucket(key)) {
            d = assertTimeoutPreemptively(NO_WAIT, () -> member.tryAcquireWithDecision(key, 3));
        }
        assertThat(d.allowed()).isFalse();
        assertThat((double) d.retryAfterNanos()).isCloseTo(SECOND * 0.3, within(1_000.0));
        // more than maxBatch permits: no lease ever covers them
        assertThat(member.tryAcquireWithDecision(key("big"), 6, NO_WAIT).retryAfterNanos())
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void evenSplit_reportsItsLocalBucket() {
        try (ClusterRateLimiter split = build("node-1", ClusterRateLimiter.Strategy.EVEN_SPLIT)) {
            RateLimitDecision d = null;
            for (int i = 0; i < 5; i++) { // its share: 5 of 10, full
                d = split.tryAcquireWithDecision("k", 1);
                assertThat(d.allowed()).isTrue();
                assertThat(d.remaining()).isEqualTo(4L - i);
            }
            d = split.tryAcquireWithDecision("k", 1);
            assertThat(d.allowed()).isFalse();
            assertThat((double) d.retryAfterNanos()).isCloseTo(SECOND / 5.0, within(1_000.0)); // one at 5/s
            assertThat((double) d.resetAfterNanos()).isCloseTo(SECOND * 1.0, within(1_000.0));
        }
    }

    @Test
    void boundedWait_waitsOnlyWithoutABatch_andAnInterruptEndsTheWait() throws Exception {
        String key = key("wait");
        assertThat(member.tryAcquire(key, 1, NO_WAIT)).isTrue(); // first lease: 5, one taken
        Bucket ownerBucket = owner.ownedBucket(key);
        synchronized (ownerBucket) { // the owner cannot answer lease requests while the test holds its bucket
            assertThat(member.tryAcquire(key, 2)).isTrue(); // 2 left: a request for more goes out and hangs
            // holds a batch (too small): decides at once
            assertThat(assertTimeoutPreemptively(NO_WAIT, () -> member.tryAcquire(key, 3, LONG_WAIT))).isFalse();
            assertThat(member.tryAcquire(key, 2)).isTrue();
            // no batch, a lease in flight: waits up to maxWait, then decides
            assertThat(member.tryAcquire(key, 1, Duration.ofMillis(50))).isFalse();
            boolean[] interrupted = new boolean[1];
            boolean admitted = assertTimeoutPreemptively(NO_WAIT, () -> {
                Thread.currentThread().interrupt();
                boolean r = member.tryAcquire(key, 1, LONG_WAIT);
                interrupted[0] = Thread.interrupted();
                return r;
            });
            assertThat(admitted).isFalse();
            assertThat(interrupted[0]).isTrue();
        }
        // the owner answers: the waiting call is admitted from the lease
        assertThat(member.tryAcquire(key, 1, NO_WAIT)).isTrue();
    }

    @Test
    void badInput_isRejectedWithTheValueNamed() {
        assertThatThrownBy(() -> member.tryAcquire("k", 1, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("maxWait");
        assertThatThrownBy(() -> member.tryAcquire("k", 1, Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait")
                .hasMessageContaining("-0.005");
        assertThatThrownBy(() -> member.tryAcquireWithDecision("k", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("permits").hasMessageContaining("0");
        assertThatThrownBy(() -> member.tryAcquireWithDecision(null, 1, NO_WAIT))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("key");
        assertThatThrownBy(() -> member.tryAcquireWithDecision("k", -1, NO_WAIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
}
