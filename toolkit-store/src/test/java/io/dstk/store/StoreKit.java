package io.dstk.store;

import static org.awaitility.Awaitility.await;

import io.dstk.membership.Cluster;
import io.dstk.membership.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;

/**
 * Test kit: a {@link TestCluster} of members with a store opened on each, voters {@code node-1..node-3}, the raft
 * transports on a free port range of their own; with kills, partitions (cluster and raft channels together) and
 * waits that poll.
 */
final class StoreKit implements AutoCloseable {
  static final List<String> VOTERS = List.of("node-1", "node-2", "node-3");

  final TestCluster cluster;
  final int raftBase;
  private final UnaryOperator<StoreConfig.Builder> customizer;
  private final Map<String, ClusterStore> stores = new LinkedHashMap<>();

  private StoreKit(TestCluster cluster, UnaryOperator<StoreConfig.Builder> customizer) {
    this.cluster = cluster;
    this.raftBase = TestCluster.freePortRange(10);
    this.customizer = customizer;
  }

  static StoreKit start(int members) {
    return start(members, UnaryOperator.identity());
  }

  static StoreKit start(int members, UnaryOperator<StoreConfig.Builder> customizer) {
    StoreKit kit = new StoreKit(TestCluster.start(members), customizer);
    try {
      for (String n : kit.cluster.names()) {
        kit.open(n);
      }
      kit.awaitLeader();
      return kit;
    } catch (RuntimeException | Error e) {
      kit.close();
      throw e;
    }
  }

  synchronized ClusterStore open(String name) {
    return open(name, UnaryOperator.identity());
  }

  /** Closes the member's store (if open) and opens it again with extra settings. */
  synchronized ClusterStore open(String name, UnaryOperator<StoreConfig.Builder> extra) {
    ClusterStore old = stores.remove(name);
    if (old != null) {
      old.close();
    }
    StoreConfig.Builder b = customizer.apply(StoreConfig.voters(VOTERS.toArray(String[]::new))
        .ports(raftBase, 10)
        .operationTimeout(Duration.ofSeconds(5))
        .ttlBounds(Duration.ofMillis(100), Duration.ofMinutes(1))
        .maxClockDrift(Duration.ofMillis(20)));
    ClusterStore s = ClusterStore.open(cluster.member(name), extra.apply(b).build());
    stores.put(name, s);
    return s;
  }

  /** Joins a new cluster member (or rejoins a killed one) and opens its store. */
  ClusterStore join(String name) {
    cluster.join(name);
    return open(name);
  }

  synchronized ClusterStore store(String name) {
    return stores.get(name);
  }

  synchronized List<ClusterStore> stores() {
    return new ArrayList<>(stores.values());
  }

  /** Waits until every live voter knows the same leader, and returns its name. */
  String awaitLeader() {
    return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
      String leader = null;
      for (ClusterStore s : stores()) {
        if (!s.isVoter()) {
          continue;
        }
        Optional<String> l = s.leader();
        if (l.isEmpty() || (leader != null && !leader.equals(l.get())) || !stores.containsKey(l.get())) {
          return null;
        }
        leader = l.get();
      }
      return leader;
    }, l -> l != null);
  }

  /** Crashes a member: its raft node and its cluster membership stop at once. */
  void kill(String name) {
    ClusterStore s;
    synchronized (this) {
      s = stores.remove(name);
    }
    if (s instanceof DefaultClusterStore d) {
      d.crash();
    }
    cluster.kill(name);
  }

  /** Splits cluster and raft channels alike. */
  void partition(List<String> sideA, List<String> sideB) {
    cluster.partition(sideA, sideB);
    List<List<String>> groups = List.of(sideA, sideB);
    Map<String, Address> raftAddresses = new LinkedHashMap<>();
    for (String n : cluster.names()) {
      JChannel ch = raft(n);
      if (ch != null) {
        raftAddresses.put(n, ch.getAddress());
      }
    }
    for (List<String> group : groups) {
      for (String n : group) {
        JChannel ch = raft(n);
        if (ch == null) {
          continue;
        }
        DISCARD d = discard(ch);
        for (Map.Entry<String, Address> e : raftAddresses.entrySet()) {
          if (!group.contains(e.getKey())) {
            d.addIgnoreMember(e.getValue());
          }
        }
      }
    }
  }

  void heal() {
    cluster.heal();
    for (String n : cluster.names()) {
      JChannel ch = raft(n);
      if (ch != null) {
        discard(ch).resetIgnoredMembers();
      }
    }
  }

  private JChannel raft(String name) {
    ClusterStore s = store(name);
    return s instanceof DefaultClusterStore d ? d.raftChannel() : null;
  }

  private static DISCARD discard(JChannel ch) {
    ProtocolStack stack = ch.getProtocolStack();
    DISCARD d = stack.findProtocol(DISCARD.class);
    if (d == null) {
      d = new DISCARD();
      try {
        stack.insertProtocol(d, ProtocolStack.Position.ABOVE, TP.class);
        d.init();
        d.start();
      } catch (Exception e) {
        throw new IllegalStateException("could not insert DISCARD", e);
      }
    }
    return d;
  }

  Cluster member(String name) {
    return cluster.member(name);
  }

  @Override
  public void close() {
    for (ClusterStore s : stores()) {
      try {
        s.close();
      } catch (RuntimeException e) {
        // keep closing
      }
    }
    cluster.close();
  }
}
