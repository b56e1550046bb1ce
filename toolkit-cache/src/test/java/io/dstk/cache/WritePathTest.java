package io.dstk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.ClusterStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SYNC write path: the writer sends ORDER to the coordinator, which sends APPLY to every member hosting the cache,
 * and every member acknowledges straight to the writer.
 */
class WritePathTest {
  private CacheKit kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  private SyncReplicator<?, ?> replicator(String node) {
    return ((DefaultReplicatedCache<?, ?>) kit.cache(node)).replicator();
  }

  private Map<String, ClusterStats> stats() {
    return Map.of("node-1", kit.cluster.member("node-1").stats(), "node-2", kit.cluster.member("node-2").stats(),
        "node-3", kit.cluster.member("node-3").stats());
  }

  /**
   * The counters once no message is still being counted: a sender counts a message just after handing it to the
   * transport, so an acknowledgement of an earlier write can be counted after that write returned.
   */
  private Map<String, ClusterStats> settledStats() {
    AtomicReference<Map<String, ClusterStats>> last = new AtomicReference<>(stats());
    await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ofMillis(200)).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          Map<String, ClusterStats> now = stats();
          boolean settled = now.keySet().stream().allMatch(n -> sent(last.get(), now, n) == 0
              && received(last.get(), now, n) == 0);
          last.set(now);
          return settled;
        });
    return last.get();
  }

  private static long sent(Map<String, ClusterStats> before, Map<String, ClusterStats> after, String node) {
    return after.get(node).messagesSent() - before.get(node).messagesSent();
  }

  private static long received(Map<String, ClusterStats> before, Map<String, ClusterStats> after, String node) {
    return after.get(node).messagesReceived() - before.get(node).messagesReceived();
  }

  @Test
  void writerCollectsTheAcknowledgementsStraightFromEveryMember() {
    kit = CacheKit.start(3);
    kit.cache("node-2").put("warm", "up"); // node-2 learns that node-1 orders: its ORDERs go one-way from now on
    kit.cache("node-1").put("warm", "up");
    Map<String, ClusterStats> before = settledStats();
    int puts = 20;
    for (int i = 0; i < puts; i++) {
      kit.cache("node-2").put("k" + i, "v" + i);
    }
    // node-2 -> node-1: ORDER; node-1 -> node-2, node-3: APPLY; node-3 -> node-2: ACK. The coordinator hears nothing
    // back, and sends no result: four one-way messages per put. (A sender counts a message just after handing it to
    // the transport, so its count may trail the receiver's for a moment.)
    Map<String, ClusterStats> fromNode2 = before;
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      Map<String, ClusterStats> after = stats();
      assertThat(sent(fromNode2, after, "node-2")).as("ORDERs sent by the writer").isEqualTo(puts);
      assertThat(sent(fromNode2, after, "node-1")).as("APPLYs sent by the coordinator").isEqualTo(2L * puts);
      assertThat(sent(fromNode2, after, "node-3")).as("ACKs sent by the third member").isEqualTo(puts);
      assertThat(received(fromNode2, after, "node-1")).as("messages the coordinator received").isEqualTo(puts);
      assertThat(received(fromNode2, after, "node-2")).as("APPLY and ACK received by the writer")
          .isEqualTo(2L * puts);
    });
    for (ReplicatedCache<String, String> c : kit.all()) {
      assertThat(c.get("k" + (puts - 1))).isEqualTo("v" + (puts - 1));
    }

    // the coordinator writing: APPLY to both others, each acknowledges to it
    Map<String, ClusterStats> fromNode1 = settledStats();
    for (int i = 0; i < puts; i++) {
      kit.cache("node-1").put("c" + i, "v" + i);
    }
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      Map<String, ClusterStats> after = stats();
      assertThat(sent(fromNode1, after, "node-1")).isEqualTo(2L * puts);
      assertThat(received(fromNode1, after, "node-1")).isEqualTo(2L * puts);
      assertThat(sent(fromNode1, after, "node-2") + sent(fromNode1, after, "node-3")).isEqualTo(2L * puts);
    });
    assertThat(kit.all().stream().mapToLong(c -> c.stats().indeterminateWrites()).sum()).isZero();
  }

  @Test
  void lostAcknowledgementsAreRecoveredByAProbeAndTheWriteCompletes() {
    kit = CacheKit.start(3, b -> b.replicationTimeout(Duration.ofMillis(300)));
    replicator("node-3").dropAcks = true;
    kit.cache("node-2").put("a", "1"); // node-3 applies but its ACK never reaches node-2: node-2 probes it
    kit.cache("node-1").put("b", "2"); // the same with the coordinator as the writer
    assertThat(kit.cache("node-3").get("a")).isEqualTo("1");
    assertThat(kit.cache("node-3").get("b")).isEqualTo("2");
    assertThat(kit.cache("node-2").stats().indeterminateWrites()).isZero();
    assertThat(kit.cache("node-1").stats().indeterminateWrites()).isZero();
  }

  @Test
  void writesBeyondMaxPendingWritesBackOffAndAllComplete() throws Exception {
    kit = CacheKit.start(3, b -> b.maxPendingWrites(2));
    List<CompletableFuture<Void>> puts = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 40; i++) {
      puts.add(kit.cache("node-2").putAsync("p" + i, "v" + i)); // at most 2 tracked at once on node-2
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (ReplicatedCache<String, String> c : kit.all()) {
      for (int i = 0; i < 40; i++) {
        assertThat(c.get("p" + i)).isEqualTo("v" + i);
      }
    }
    assertThat(kit.cache("node-2").stats().indeterminateWrites()).isZero();
  }

  @Test
  void memberThatClosedItsCacheIsNotWaitedFor() {
    kit = CacheKit.start(3, b -> b.replicationTimeout(Duration.ofMillis(300)));
    ReplicatedCache<String, String> third = kit.cache("node-3");
    synchronized (kit.caches) {
      kit.caches.remove("node-3");
    }
    third.close(); // node-3 stays in the view without the cache
    for (int i = 0; i < 5; i++) {
      kit.cache("node-2").put("k" + i, "v" + i);
      kit.cache("node-1").put("j" + i, "v" + i);
    }
    assertThat(kit.cache("node-1").get("k4")).isEqualTo("v4");
    assertThat(kit.cache("node-2").get("j4")).isEqualTo("v4");
    assertThat(kit.cache("node-2").stats().indeterminateWrites()).isZero();
    assertThat(kit.cache("node-1").stats().indeterminateWrites()).isZero();

    ReplicatedCache<String, String> reopened = kit.open("node-3"); // it pulls the state and receives writes again
    kit.awaitAllReady();
    kit.cache("node-2").put("after", "x");
    assertThat(reopened.get("after")).isEqualTo("x");
    assertThat(reopened.get("k4")).isEqualTo("v4");
  }

  @Test
  void coordinatorCrashAfterTheApplyReachedSomeMembersCompletesTheWriteOnceAtItsOriginalVersion() throws Exception {
    kit = CacheKit.start(3);
    List<Version> writtenOnNode3 = new CopyOnWriteArrayList<>();
    kit.cache("node-3").addListener(e -> {
      if (e instanceof CacheEvent.Written<String, String> w && w.key().equals("x")) {
        writtenOnNode3.add(w.version());
      }
    });
    // node-1 orders the write and reaches node-2 only: the writer, node-3, never sees the APPLY
    replicator("node-1").dropApplyTo = m -> m.name().equals("node-3");
    CompletableFuture<Void> put = kit.cache("node-3").putAsync("x", "1");
    await().atMost(Duration.ofSeconds(60)).until(() -> kit.cache("node-2").getVersioned("x").isPresent());
    Version original = kit.cache("node-2").getVersioned("x").orElseThrow().version();
    assertThat(put).as("the writer has no confirmation from itself").isNotDone();

    kit.kill("node-1");
    put.get(60, TimeUnit.SECONDS); // resent to node-2, which reconciled and answers with the original version
    for (String node : List.of("node-2", "node-3")) {
      assertThat(kit.cache(node).getVersioned("x").orElseThrow().version()).as(node).isEqualTo(original);
      assertThat(kit.cache(node).get("x")).isEqualTo("1");
    }
    assertThat(writtenOnNode3).as("applied once on the writer").containsExactly(original);
    kit.cache("node-3").put("y", "2");
    assertThat(kit.cache("node-2").getVersioned("y").orElseThrow().version().epoch())
        .as("the new coordinator's epoch").isGreaterThan(original.epoch());
    assertThat(kit.cache("node-3").stats().indeterminateWrites()).isZero();
  }

  @Test
  void coordinatorCrashBeforeAnyMemberAppliedTheWriteOrdersItAnewAboveTheOldEpoch() throws Exception {
    kit = CacheKit.start(3);
    replicator("node-1").dropApplyTo = m -> true;
    CompletableFuture<Void> put = kit.cache("node-3").putAsync("x", "1");
    await().atMost(Duration.ofSeconds(60)).until(() -> kit.cache("node-1").getVersioned("x").isPresent());
    Version lost = kit.cache("node-1").getVersioned("x").orElseThrow().version();
    assertThat(put).isNotDone();

    kit.kill("node-1");
    put.get(60, TimeUnit.SECONDS);
    Version again = kit.cache("node-2").getVersioned("x").orElseThrow().version();
    assertThat(again.epoch()).as("ordered again by the new coordinator").isGreaterThan(lost.epoch());
    assertThat(kit.cache("node-3").getVersioned("x").orElseThrow().version()).isEqualTo(again);
  }
}
