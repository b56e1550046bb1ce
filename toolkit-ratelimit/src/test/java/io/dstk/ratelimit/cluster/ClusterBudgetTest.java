package io.dstk.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dstk.membership.TestCluster;
import io.dstk.ratelimit.Budget;
import io.dstk.ratelimit.BudgetEvent;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClusterBudgetTest {
    private static TestCluster kit;
    private static final List<ClusterStore> STORES = new ArrayList<>();

    @BeforeAll
    static void start() {
        kit = TestCluster.start(3);
        int raftBase = TestCluster.freePortRange(10);
        StoreConfig config = StoreConfig.voters("node-1", "node-2", "node-3").ports(raftBase, 10)
                .ttlBounds(Duration.ofMillis(100), Duration.ofMinutes(1)).maxClockDrift(Duration.ofMillis(20))
                .build();
        for (String name : kit.names()) {
            STORES.add(ClusterStore.open(kit.member(name), config));
        }
        for (ClusterStore s : STORES) {
            assertThat(s.awaitQuorum(Duration.ofSeconds(30))).isTrue();
        }
    }

    @AfterAll
    static void stop() {
        STORES.forEach(ClusterStore::close);
        kit.close();
    }

    private static List<Budget> budgets(String name, long limit, Consumer<BudgetEvent> onTrip,
                                        Consumer<BudgetEvent> onHalf) {
        List<Budget> budgets = new ArrayList<>();
        for (ClusterStore s : STORES) {
            budgets.add(ClusterBudget.builder(s, name, limit).onTrip(onTrip).threshold(0.5, onHalf).build());
        }
        return budgets;
    }

    private static long drainConcurrently(List<Budget> budgets) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(budgets.size());
        try {
            List<Future<Long>> granted = new ArrayList<>();
            for (Budget b : budgets) {
                granted.add(pool.submit(() -> {
                    long n = 0;
                    while (b.tryAcquire(1)) {
                        n++;
                    }
                    return n;
                }));
            }
            long total = 0;
            for (Future<Long> f : granted) {
                total += f.get();
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void threeMembersDrainConcurrently_tripsOncePerEpochClusterWide_andDeniesEverywhereUntilReset() throws Exception {
        Queue<String> trips = new ConcurrentLinkedQueue<>();
        Queue<String> halves = new ConcurrentLinkedQueue<>();
        List<Budget> budgets = budgets("spend", 12, e -> trips.add(e.idempotencyKey()),
                e -> halves.add(e.idempotencyKey()));

        assertThat(drainConcurrently(budgets)).isEqualTo(12);
        assertThat(trips).containsExactly("spend/0/trip");
        assertThat(halves).containsExactly("spend/0/threshold/0.5");
        for (Budget b : budgets) {
            assertThat(b.tryAcquire(1)).isFalse();
            assertThat(b.state().tripped()).isTrue();
        }

        budgets.get(1).reset();
        assertThat(budgets.get(2).state().epoch()).isEqualTo(1);
        assertThat(drainConcurrently(budgets)).isEqualTo(12);
        assertThat(trips).containsExactly("spend/0/trip", "spend/1/trip");

        budgets.get(0).raise(20);
        assertThat(budgets.get(2).state().remaining()).isEqualTo(8);
        assertThat(drainConcurrently(budgets)).isEqualTo(8);
        assertThat(trips).containsExactly("spend/0/trip", "spend/1/trip", "spend/2/trip");
    }

    @Test
    void tripActionFailsOnTheTrippingMember_anotherMemberRunsItWithTheSameKey() {
        Queue<String> ran = new ConcurrentLinkedQueue<>();
        AtomicBoolean firstFails = new AtomicBoolean(true);
        List<Budget> budgets = new ArrayList<>();
        for (ClusterStore s : STORES) {
            String member = s.holderId();
            budgets.add(ClusterBudget.builder(s, "retry", 2).onActionFailure((e, ex) -> { }).onTrip(e -> {
                if (firstFails.compareAndSet(true, false)) {
                    throw new IllegalStateException("crashed before acting");
                }
                ran.add(member + ":" + e.idempotencyKey());
            }).build());
        }
        assertThat(budgets.get(0).tryAcquire(2)).isTrue(); // trips; its action fails
        assertThat(ran).isEmpty();
        assertThat(budgets.get(1).tryAcquire(1)).isFalse(); // denied, and runs the owed action
        assertThat(ran).hasSize(1).allMatch(s -> s.endsWith(":retry/0/trip"));
        assertThat(budgets.get(2).state().tripNotified()).isTrue();
    }

    @Test
    void badInput_isRejectedWithTheValueNamed() {
        assertThatThrownBy(() -> ClusterBudget.builder(STORES.get(0), ".hidden", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(".hidden");
        assertThatThrownBy(() -> ClusterBudget.builder(STORES.get(0), "b", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
        Budget b = ClusterBudget.builder(STORES.get(0), "bad-input", 5).build();
        assertThatThrownBy(() -> b.tryAcquire(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("units");
        assertThat(b.state().used()).isZero();
    }

    @Test
    void badSettings_areRejectedWithTheSameMessageAsByTheLocalBudgetBuilder() {
        List<Runnable> local = List.of(
                () -> Budget.builder("..x", 1), () -> Budget.builder("x", -3), () -> Budget.builder(null, 1),
                () -> Budget.builder("x", 1).threshold(1.5, e -> { }), () -> Budget.builder("x", 1).onTrip(null),
                () -> Budget.builder("x", 1).period(null), () -> Budget.builder("x", 1).zone(null),
                () -> Budget.builder("x", 1).clock(null), () -> Budget.builder("x", 1).onActionFailure(null));
        ClusterStore store = STORES.get(0);
        List<Runnable> cluster = List.of(
                () -> ClusterBudget.builder(store, "..x", 1), () -> ClusterBudget.builder(store, "x", -3),
                () -> ClusterBudget.builder(store, null, 1),
                () -> ClusterBudget.builder(store, "x", 1).threshold(1.5, e -> { }),
                () -> ClusterBudget.builder(store, "x", 1).onTrip(null),
                () -> ClusterBudget.builder(store, "x", 1).period(null),
                () -> ClusterBudget.builder(store, "x", 1).zone(null),
                () -> ClusterBudget.builder(store, "x", 1).clock(null),
                () -> ClusterBudget.builder(store, "x", 1).onActionFailure(null));
        for (int i = 0; i < local.size(); i++) {
            Throwable expected = catchThrowable(local.get(i)::run);
            assertThat(expected).as("local case %d", i).isInstanceOfAny(IllegalArgumentException.class,
                    NullPointerException.class);
            assertThatThrownBy(cluster.get(i)::run).as("cluster case %d", i).isExactlyInstanceOf(expected.getClass())
                    .hasMessage(expected.getMessage());
        }
    }
}
