package io.dstk.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Consistent hashing with bounded loads: the load bound, the ring order, and concurrent assign/release. */
class BoundedLoadBalancerTest {

    private static long bound(double c, long m, int n) {
        return (long) Math.ceil(c * m / n - 1e-9);
    }

    @Test
    void noNodeEverExceedsCeilOfCTimesMeanAsKeysArrive() {
        qt().withFixedSeed(41L).withExamples(30).forAll(integers().between(1, 30), doubles().between(1.01, 3.0))
                .checkAssert((n, c) -> {
                    ConsistentHash<String> ring = ConsistentHash.ring().build(Algorithm.nodes(n));
                    BoundedLoadBalancer<String> balancer = BoundedLoadBalancer.create(ring, c);
                    for (int m = 1; m <= 2000; m++) {
                        BoundedLoadBalancer.Assignment<String> a = balancer.assign("key-" + m);
                        assertThat((long) balancer.load(a.node())).isLessThanOrEqualTo(bound(c, m, n));
                    }
                    assertThat(balancer.totalLoad()).isEqualTo(2000);
                });
    }

    @Test
    void aKeyGoesToItsRingOwnerWhenTheOwnerHasRoomOtherwiseToTheNextNodeClockwiseWithRoom() {
        ConsistentHash<String> ring = ConsistentHash.ring().build(Algorithm.nodes(8));
        BoundedLoadBalancer<String> balancer = BoundedLoadBalancer.create(ring, 1.25);
        SplittableRandom random = new SplittableRandom(42);
        for (int m = 0; m < 3000; m++) {
            String key = "k" + random.nextLong();
            long capacity = balancer.capacity();
            String expected = null;
            for (String candidate : ring.nodesFor(key, 8)) {
                if (balancer.load(candidate) + 1 <= capacity) {
                    expected = candidate;
                    break;
                }
            }
            assertThat(balancer.assign(key).node()).isEqualTo(expected);
        }
    }

    @Test
    void releaseIsIdempotentAndFreesTheLoad() {
        BoundedLoadBalancer<String> balancer = BoundedLoadBalancer.create(
                ConsistentHash.ketama(List.of("10.0.0.1:11211", "10.0.0.2:11211")), 1.5);
        BoundedLoadBalancer.Assignment<String> a = balancer.assign(7L);
        try (BoundedLoadBalancer.Assignment<String> b = balancer.assign("x".getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            assertThat(balancer.totalLoad()).isEqualTo(2);
            assertThat(b.node()).isNotNull();
        }
        a.release();
        a.release();
        assertThat(balancer.totalLoad()).isZero();
        assertThat(balancer.load("10.0.0.1:11211") + balancer.load("10.0.0.2:11211")).isZero();
    }

    @Test
    void manyThreadsAssigningAndReleasingKeepTheBoundAndTheCounts() throws Exception {
        int threads = 8;
        int n = 10;
        double c = 1.25;
        BoundedLoadBalancer<String> balancer = BoundedLoadBalancer.create(
                ConsistentHash.ring().build(Algorithm.nodes(n)), c);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<BoundedLoadBalancer.Assignment<String>>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = t;
            results.add(pool.submit(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                ArrayDeque<BoundedLoadBalancer.Assignment<String>> held = new ArrayDeque<>();
                start.await();
                for (int i = 0; i < 20_000; i++) {
                    if (held.size() < 50 && random.nextInt(3) > 0) {
                        BoundedLoadBalancer.Assignment<String> a = balancer.assign("k" + random.nextLong());
                        // At any time: load(node) <= capacity for the current total, which grows with m.
                        assertThat((long) balancer.load(a.node())).isLessThanOrEqualTo(
                                bound(c, balancer.totalLoad() + threads, n) + threads);
                        held.add(a);
                    } else if (!held.isEmpty()) {
                        BoundedLoadBalancer.Assignment<String> a = held.poll();
                        a.release();
                        a.release();
                    }
                }
                return new ArrayList<>(held);
            }));
        }
        start.countDown();
        List<BoundedLoadBalancer.Assignment<String>> stillHeld = new ArrayList<>();
        for (Future<List<BoundedLoadBalancer.Assignment<String>>> f : results) {
            stillHeld.addAll(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertThat(balancer.totalLoad()).isEqualTo(stillHeld.size());
        long sum = 0;
        for (String node : Algorithm.nodes(n)) {
            long expected = stillHeld.stream().filter(a -> a.node().equals(node)).count();
            assertThat(balancer.load(node)).isEqualTo((int) expected);
            sum += balancer.load(node);
        }
        assertThat(sum).isEqualTo(stillHeld.size());
        stillHeld.forEach(BoundedLoadBalancer.Assignment::release);
        assertThat(balancer.totalLoad()).isZero();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void badArgumentsAreRejectedWithMessagesNamingThem() {
        ConsistentHash<String> ring = ConsistentHash.ring().build(List.of("a", "b"));
        assertThatThrownBy(() -> BoundedLoadBalancer.create(ring, 1.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("loadFactor must be a finite number > 1, was 1.0");
        assertThatThrownBy(() -> BoundedLoadBalancer.create(ring, Double.NaN))
                .hasMessageContaining("loadFactor must be a finite number > 1, was NaN");
        assertThatThrownBy(() -> BoundedLoadBalancer.create(ring, 0.5)).hasMessageContaining("was 0.5");
        assertThatThrownBy(() -> BoundedLoadBalancer.create(null, 1.5)).isInstanceOf(NullPointerException.class)
                .hasMessage("ring");
        assertThatThrownBy(() -> BoundedLoadBalancer.create(ConsistentHash.rendezvous().build(List.of("a")), 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need a ring or ketama");
        assertThatThrownBy(() -> BoundedLoadBalancer.create(ConsistentHash.ring().build(List.of()), 1.5))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty");
        BoundedLoadBalancer<String> balancer = BoundedLoadBalancer.create(ring, 1.5);
        assertThatThrownBy(() -> balancer.assign((String) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("key must not be null");
        assertThatThrownBy(() -> balancer.load("zz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node is not present: zz");
    }
}
