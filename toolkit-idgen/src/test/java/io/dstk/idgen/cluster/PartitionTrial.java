package io.dstk.idgen.cluster;

import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.LAYOUT;
import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.generator;
import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dstk.idgen.SnowflakeGenerator;
import io.dstk.idgen.WorkerIdUnavailableException;
import io.dstk.store.StoreKit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One fault trial: the holder of the only worker id ends up on the minority side of a partition while a member of
 * the majority side wants an id; then the partition heals. Checks that the minority gets no new id, that the holder
 * keeps issuing after the partition until its lease's deadline and stops before the other starts, and that no id
 * is issued twice.
 */
final class PartitionTrial {
    private PartitionTrial() {
    }

    static void run(StoreKit kit, String group) {
        List<String> minority = List.of("node-1", "node-4");
        List<String> majority = List.of("node-2", "node-3", "node-5");
        ClusterWorkerIdSource holderSource = source(kit.store("node-4"), group).maxWorkerIds(1).build();
        ClusterWorkerIdSource minoritySource = source(kit.store("node-1"), group).maxWorkerIds(2).build();
        ClusterWorkerIdSource majoritySource = source(kit.store("node-5"), group).maxWorkerIds(1).build();
        IssueLog holder = new IssueLog("node-4");
        IssueLog successor = new IssueLog("node-5");
        AtomicBoolean stop = new AtomicBoolean();
        try (holderSource; minoritySource; majoritySource; SnowflakeGenerator g4 = generator(holderSource)) {
            CompletableFuture<Void> issuing = CompletableFuture.runAsync(() -> holder.issueUntil(g4, stop::get));
            await().atMost(Duration.ofSeconds(60)).until(() -> holder.ids().size() >= 50);

            kit.partition(minority, majority);
            int atPartition = holder.ids().size();

            // The minority side obtains no new id (node-1 asks for id 1, which is free).
            assertThatThrownBy(() -> generator(minoritySource)).isInstanceOf(WorkerIdUnavailableException.class)
                    .hasMessageContaining("cannot lease a worker id");
            // The majority side gets the id only once the holder's lease expired and the quarantine passed.
            SnowflakeGenerator g5 = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .ignoreException(WorkerIdUnavailableException.class)
                    .until(() -> generator(majoritySource), g -> true);
            try (g5) {
                // The holder stopped by itself: its renewals could not reach a quorum.
                await().atMost(Duration.ofSeconds(60)).until(issuing::isDone);
                // ... but only at its deadline: cut off on the minority side, it went on issuing until then.
                assertThat(holder.ids().size()).as("ids issued by the minority-side holder after the partition")
                        .isGreaterThan(atPartition);
                assertThat(holder.failure).hasMessageContaining("deadline passed");
                CompletableFuture<Void> next = CompletableFuture.runAsync(() -> successor.issueUntil(g5,
                        () -> successor.ids().size() >= 200));
                kit.heal();
                kit.cluster.awaitViews(kit.cluster.names());
                next.join();
                // After the heal the old holder still cannot take the id back: it is held.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .ignoreExceptionsMatching(e -> !e.getMessage().contains("are held"))
                        .untilAsserted(() -> assertThatThrownBy(() -> generator(holderSource))
                                .isInstanceOf(WorkerIdUnavailableException.class)
                                .hasMessageContaining("all 1 worker ids of group " + group + " are held"));
                assertThat(successor.issue(g5)).isTrue();
            }
            assertThat(holderSource.stats().losses()).isEqualTo(1);
        } finally {
            stop.set(true);
            kit.heal();
        }
        assertThat(LAYOUT.decode(holder.firstId()).nodeId()).isZero();
        assertThat(LAYOUT.decode(successor.firstId()).nodeId()).isZero();
        Invariants.assertNoDuplicates(holder, successor);
        Invariants.assertDisjointInTime(holder, successor);
        Invariants.assertLaterTimestamps(holder, successor);
    }
}
