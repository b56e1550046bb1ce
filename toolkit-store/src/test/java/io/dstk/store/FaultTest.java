package io.dstk.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.protocols.raft.RAFT;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leader crash, minority partitions, heal and restart, one trial each; the chaos-tagged tests repeat them. */
class FaultTest {

  static long failoverMillis(StoreKit kit) {
    String leader = kit.awaitLeader();
    String clientName = kit.cluster.names().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
    ClusterStore client = kit.store(clientName);
    client.counter("failover").addAndGet(1);
    // The trial's timeline: the client's routing steps and the survivors' leader updates, in ms since the crash.
    List<String> timeline = new CopyOnWriteArrayList<>();
    long t0 = System.nanoTime();
    for (String n : kit.cluster.names()) {
      if (!n.equals(leader)) {
        ((DefaultClusterStore) kit.store(n)).trace(line -> timeline.add((System.nanoTime() - t0) / 1_000_000 + " "
            + n + ": " + line));
      }
    }
    kit.kill(leader);
    // Operations resume: the first write after the crash succeeds within the bound.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).ignoreExceptions()
        .until(() -> client.counter("failover").addAndGet(1) > 0);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    for (String n : kit.cluster.names()) {
      if (!n.equals(leader)) {
        ((DefaultClusterStore) kit.store(n)).trace(null);
      }
    }
    if (ms > TARGET_MILLIS) {
      System.out.println("timeline of a slow fail-over (" + ms + " ms, crash of " + leader + ", client "
          + clientName + "): " + timeline);
    }
    return ms;
  }

  @Test
  void leaderCrash_operationsResumeWithinFailureDetectionPlusElectionPlusOneSecond() {
    try (StoreKit kit = StoreKit.start(3)) {
      long ms = failoverMillis(kit);
      System.out.println("store fail-over after an in-JVM leader crash: " + ms + " ms, target (election timeout + 1 s) "
          + TARGET_MILLIS);
      // Typically crash detection (closed socket + 0.5 s verification) and one election; the target is reported
      // (chaos profile), this is a ceiling for a loaded machine.
      assertThat(ms).isLessThan(10_000);
      assertThat(kit.awaitLeader()).isNotNull();
    }
  }

  @Test
  void leaderCrash_nonVoterWaitsForTheNewLeaderInsteadOfSpinningOnTheDeadOnesName() {
    try (StoreKit kit = StoreKit.start(4)) {
      String leader = kit.awaitLeader();
      DefaultClusterStore client = (DefaultClusterStore) kit.store("node-4");
      client.counter("spin").addAndGet(1);
      List<String> steps = new CopyOnWriteArrayList<>();
      client.trace(steps::add);
      kit.kill(leader);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).ignoreExceptions()
          .until(() -> client.counter("spin").addAndGet(1) > 0);
      client.trace(null);
      // Before the fix, voters that still named the dead leader sent the caller back and forth, hundreds of round
      // trips until their raft view dropped it; now a voter holds the request until it knows a live leader, and a new
      // leader announces itself: a handful of attempts.
      List<String> sent = steps.stream().filter(l -> l.startsWith("attempt ") && l.contains(" -> ")).toList();
      assertThat(sent).as("attempts after the crash: %s", steps).hasSizeLessThanOrEqualTo(8);
      assertThat(steps).noneMatch(l -> l.contains(" status 22 " + leader));
    }
  }

  @Test
  void minorityPartition_failsFastWithoutQuorum_andSeesTheMajoritysStateAfterHeal() {
    partitionTrial(true);
  }

  @Test
  void followerCutOffAlone_failsFastWithoutQuorum_andSeesTheMajoritysStateAfterHeal() {
    partitionTrial(false);
  }

  @Tag("chaos")
  @RepeatedTest(5)
  void repeatedMinorityPartitions() {
    partitionTrial(true);
  }

  @Tag("chaos")
  @RepeatedTest(5)
  void repeatedFollowerMinorityPartitions() {
    partitionTrial(false);
  }

  /**
   * Splits 3 voters and a non-voter: either the leader and the non-voter on the minority side (the leader must step
   * down, the majority elects anew), or a follower alone on the minority side (the leader keeps its majority).
   */
  static void partitionTrial(boolean leaderOnMinority) {
    try (StoreKit kit = StoreKit.start(4)) {
      String leader = kit.awaitLeader();
      List<String> minority;
      if (leaderOnMinority) {
        minority = List.of(leader, "node-4");
      } else {
        minority = List.of(StoreKit.VOTERS.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow());
      }
      List<String> majority = new ArrayList<>(kit.cluster.names());
      majority.removeAll(minority);
      kit.store("node-1").put("p.k", "before".getBytes(StandardCharsets.UTF_8));
      kit.partition(minority, majority);
      kit.cluster.awaitViews(minority, majority);

      List<ClusterStore> minorityStores = minority.stream().map(kit::store).toList();
      await().atMost(Duration.ofSeconds(60)).until(() -> minorityStores.stream().noneMatch(ClusterStore::hasQuorum));
      for (ClusterStore s : minorityStores) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> s.put("p.k", "minority".getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(NoQuorumException.class);
        // Fails before the 5 s operation timeout could have run out: it did not wait for a leader.
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_500);
        assertThat(s.hasQuorum()).isFalse();
      }

      ClusterStore majoritySide = kit.store(majority.get(0));
      long v = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> majoritySide.put("p.k", "majority".getBytes(StandardCharsets.UTF_8)), x -> x > 0);
      if (!leaderOnMinority) {
        assertThat(kit.store(leader).leader()).contains(leader);
      }

      kit.heal();
      kit.cluster.awaitViews(kit.cluster.names());
      for (ClusterStore s : minorityStores) {
        Versioned read = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> s.get("p.k").get(),
            x -> x != null);
        assertThat(read.version()).isEqualTo(v);
        assertThat(new String(read.value(), StandardCharsets.UTF_8)).isEqualTo("majority");
      }
    }
  }

  @Test
  void restartedVoterWithDiskLog_recoversItsStateAndCatchesUp(@TempDir Path dir) {
    restartTrial(dir);
  }

  @Tag("chaos")
  @RepeatedTest(3)
  void repeatedRestartsOfAVoterWithDiskLog(@TempDir Path dir) {
    restartTrial(dir);
  }

  static void restartTrial(Path dir) {
    try (StoreKit kit = StoreKit.start(3, b -> b.logDirectory(dir).logFsync(false).maxLogBytes(8192))) {
      for (int i = 0; i < 200; i++) {
        kit.store("node-1").counter("r.c").addAndGet(1);
      }
      String victim = StoreKit.VOTERS.stream().filter(n -> !n.equals(kit.awaitLeader())).findFirst().orElseThrow();
      kit.kill(victim);
      for (int i = 0; i < 50; i++) {
        kit.store(kit.awaitLeader()).counter("r.c").addAndGet(1);
      }
      // The log is bounded: the leader has snapshotted and truncated it.
      DefaultClusterStore leaderStore = (DefaultClusterStore) kit.store(kit.awaitLeader());
      RAFT raft = leaderStore.raftChannel().getProtocolStack().findProtocol(RAFT.class);
      assertThat(raft.numSnapshots()).isPositive();
      ClusterStore restarted = kit.join(victim);
      // Its own log brings it back to at least what it had; the leader's log (or snapshot) brings the rest.
      DefaultClusterStore d = (DefaultClusterStore) restarted;
      await().atMost(Duration.ofSeconds(60)).until(() -> d.stateMachine().size() > 0);
      assertThat(restarted.counter("r.c").get()).isEqualTo(250);
      kit.awaitLeader();
    }
  }

  /** The fail-over target of issue #4: the election timeout (one voting round, {@code voteTimeout}) + 1 s. */
  static final long TARGET_MILLIS = StoreConfig.voters("a", "b", "c").build().voteTimeout().toMillis() + 1_000;

  @Tag("chaos")
  @Test
  void repeatedLeaderCrashes() {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      try (StoreKit kit = StoreKit.start(3)) {
        long ms = failoverMillis(kit);
        System.out.println("store fail-over trial " + (i + 1) + "/10 (in-JVM leader crash): " + ms + " ms");
        times.add(ms);
      }
    }
    times.sort(null);
    System.out.println("store fail-over ms (in-JVM leader crash, sorted, 10 trials): " + times + ", median "
        + (times.get(4) + times.get(5)) / 2 + ", max " + times.get(9) + ", target (election timeout + 1 s) "
        + TARGET_MILLIS);
    // A generous ceiling for a loaded machine; the figures against the target are reported, not asserted.
    assertThat(times.get(9)).isLessThan(10_000);
  }
}
