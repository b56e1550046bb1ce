package io.dstk.ratelimit.cluster;

import static org.awaitility.Awaitility.await;

import io.dstk.hash.ConsistentHash;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.Member;
import io.dstk.membership.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Members of a test cluster each running a {@link ClusterRateLimiter} named "sim" on one virtual clock. Each step
 * every member makes its demand of calls, lease requests are let finish (real time), then the clock moves 10 ms.
 */
final class LimiterSim implements AutoCloseable {
    static final long STEP_NANOS = 10_000_000L;
    static final long LIMIT = 1000;

    final TestCluster kit;
    final AtomicLong now = new AtomicLong(1L << 40);
    final Map<String, ClusterRateLimiter> limiters = new LinkedHashMap<>();
    private final UnaryOperator<ClusterRateLimiterBuilder> config;

    LimiterSim(int members, UnaryOperator<ClusterRateLimiterBuilder> config) {
        this(members, config, UnaryOperator.identity());
    }

    LimiterSim(int members, UnaryOperator<ClusterRateLimiterBuilder> config,
               UnaryOperator<ClusterConfig.Builder> cluster) {
        this.config = config;
        this.kit = TestCluster.start(members, cluster);
        for (String name : kit.names()) {
            add(name);
        }
    }

    void add(String name) {
        limiters.put(name, config.apply(ClusterRateLimiter.builder(kit.member(name), "sim", LIMIT,
                Duration.ofSeconds(1)).ticker(now::get)).build());
    }

    /** Joins a member, waits for the view and for the others' limiters to take the new ring, then adds its limiter. */
    void join(String name) {
        Map<String, Integer> before = epochs();
        kit.join(name);
        kit.awaitViews(kit.names());
        awaitRingChange(before);
        add(name);
    }

    /** Each live limiter's count of rings seen so far (its ownership history). */
    Map<String, Integer> epochs() {
        Map<String, Integer> epochs = new LinkedHashMap<>();
        limiters.forEach((name, l) -> epochs.put(name, ((DefaultClusterRateLimiter) l).epochs()));
        return epochs;
    }

    /**
     * Waits until every limiter counted in {@code before} that is still live has taken a ring change since. A view
     * reaches a limiter through a listener on the cluster's event thread, after the view itself: a test that goes on
     * as soon as the views agree would otherwise run its first steps on the old ring (or share) when that thread is
     * late.
     */
    void awaitRingChange(Map<String, Integer> before) {
        await().atMost(Duration.ofSeconds(60)).until(() -> before.entrySet().stream()
                .allMatch(e -> !limiters.containsKey(e.getKey())
                        || ((DefaultClusterRateLimiter) limiters.get(e.getKey())).epochs() > e.getValue()));
    }

    void kill(String name) {
        limiters.remove(name);
        kit.kill(name);
    }

    /** Runs {@code duration} of virtual time; returns the calls admitted per member. */
    Map<String, Long> run(Duration duration, Map<String, Integer> demandPerStep, String key) {
        Map<String, Long> admitted = new LinkedHashMap<>();
        for (long t = 0; t < duration.toNanos(); t += STEP_NANOS) {
            step(demandPerStep, key, admitted);
        }
        return admitted;
    }

    void step(Map<String, Integer> demandPerStep, String key, Map<String, Long> admitted) {
        for (Map.Entry<String, Integer> d : demandPerStep.entrySet()) {
            ClusterRateLimiter limiter = limiters.get(d.getKey());
            if (limiter == null) {
                continue;
            }
            for (int i = 0; i < d.getValue(); i++) {
                if (limiter.tryAcquire(key)) {
                    admitted.merge(d.getKey(), 1L, Long::sum);
                }
            }
        }
        quiesce();
        now.addAndGet(STEP_NANOS);
    }

    void quiesce() {
        if (inFlight() == 0) {
            return;
        }
        await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> inFlight() == 0);
    }

    private int inFlight() {
        int n = 0;
        for (ClusterRateLimiter l : limiters.values()) {
            n += ((DefaultClusterRateLimiter) l).leasesInFlight();
        }
        return n;
    }

    /** Failure detection that load on a shared machine does not trip: for tests where no member crashes. */
    static ClusterConfig.Builder patientDetection(ClusterConfig.Builder b) {
        return b.failureDetection(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(2));
    }

    static long total(Map<String, Long> admitted) {
        return admitted.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A key whose owner is {@code before} among {@code membersBefore} and {@code after} among membersAfter. */
    static String keyOwned(List<String> membersBefore, String before, List<String> membersAfter, String after) {
        ConsistentHash<Member> b = ring(membersBefore);
        ConsistentHash<Member> a = ring(membersAfter);
        for (int i = 0; i < 10_000; i++) {
            String key = "key-" + i;
            if (b.nodeFor(key).name().equals(before) && a.nodeFor(key).name().equals(after)) {
                return key;
            }
        }
        throw new AssertionError("no key owned by " + before + " then " + after);
    }

    /** The first {@code count} keys {@code prefix-i} whose owner is {@code owner} among {@code members}. */
    static List<String> keysOwned(List<String> members, String owner, String prefix, int count) {
        ConsistentHash<Member> r = ring(members);
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            if (r.nodeFor(prefix + "-" + i).name().equals(owner)) {
                keys.add(prefix + "-" + i);
            }
        }
        return keys;
    }

    private static ConsistentHash<Member> ring(List<String> names) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            members.add(new Member(names.get(i), "test-" + names.get(i), i, Map.of()));
        }
        return ConsistentHash.ring().nodeKey(Member::name).build(members);
    }

    @Override
    public void close() {
        limiters.values().forEach(ClusterRateLimiter::close);
        kit.close();
    }
}
