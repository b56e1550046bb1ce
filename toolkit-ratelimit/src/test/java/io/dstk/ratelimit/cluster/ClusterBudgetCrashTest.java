package io.dstk.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.TestCluster;
import io.dstk.ratelimit.Budget;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClusterBudgetCrashTest {

    @Test
    void memberDiesWhileRunningTheKillSwitch_anotherMemberRunsItAfterTheActionLeaseExpires() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Queue<String> ran = new ConcurrentLinkedQueue<>();
        try (TestCluster kit = TestCluster.start(3)) {
            int raftBase = TestCluster.freePortRange(10);
            StoreConfig config = StoreConfig.voters("node-1", "node-2", "node-3").ports(raftBase, 10)
                    .ttlBounds(Duration.ofMillis(100), Duration.ofMinutes(1)).maxClockDrift(Duration.ofMillis(20))
                    .build();
            Map<String, ClusterStore> stores = new LinkedHashMap<>();
            for (String name : kit.names()) {
                stores.put(name, ClusterStore.open(kit.member(name), config));
            }
            try {
                for (ClusterStore s : stores.values()) {
                    assertThat(s.awaitQuorum(Duration.ofSeconds(30))).isTrue();
                }
                String leader = stores.get("node-1").leader().orElseThrow();
                String victim = kit.names().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
                String survivor = kit.names().stream().filter(n -> !n.equals(victim)).findFirst().orElseThrow();
                Map<String, Budget> budgets = new LinkedHashMap<>();
                for (Map.Entry<String, ClusterStore> e : stores.entrySet()) {
                    String member = e.getKey();
                    budgets.put(member, ClusterBudget.builder(e.getValue(), "crash", 2)
                            .actionLease(Duration.ofSeconds(1)).onActionFailure((ev, ex) -> { })
                            .onTrip(ev -> {
                                if (member.equals(victim)) {
                                    entered.countDown();
                                    try {
                                        release.await(); // dies here, holding the actions lease
                                    } catch (InterruptedException ie) {
                                        Thread.currentThread().interrupt();
                                    }
                                    throw new IllegalStateException("gone");
                                }
                                ran.add(member + ":" + ev.idempotencyKey());
                            }).build());
                }
                Thread tripping = new Thread(() -> {
                    try {
                        budgets.get(victim).tryAcquire(2);
                    } catch (RuntimeException gone) {
                        // the member is dead
                    }
                }, "tripping-member");
                tripping.start();
                assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
                kit.kill(victim);
                stores.remove(victim).close();

                Budget other = budgets.get(survivor);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    assertThat(other.tryAcquire(1)).isFalse(); // tripped: denied everywhere
                    assertThat(ran).isNotEmpty();
                });
                assertThat(ran).containsExactly(survivor + ":crash/0/trip");
                assertThat(other.state().tripNotified()).isTrue();
                release.countDown();
                tripping.join(10_000);
            } finally {
                release.countDown();
                stores.values().forEach(ClusterStore::close);
            }
        }
    }
}
