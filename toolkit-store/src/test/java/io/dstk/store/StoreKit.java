package io.dstk.store;

import static org.awaitility.Awaitility.await;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
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

/**
 * Test kit, published in the store's test-jar for the modules built on the store: a {@link TestCluster} of members
 * with a store opened on each, voters {@code node-1..node-3}, the raft transports on a free port range of their own,
 * short TTL bounds ({@link #storeConfig}); with crashes, graceful leaves, partitions (cluster and raft channels
 * together) and a wait for an agreed leader (Awaitility).
 */
public final class StoreKit implements AutoCloseable {
  /** The voters' node names. */
  public static final List<String> VOTERS = List.of("node-1", "node-2", "node-3");

  /** The members' cluster. */
  public final TestCluster cluster;
  final int raftBase;
  private final UnaryOperator<StoreConfig.Builder> customizer;
  private final Map<String, ClusterStore> stores = new LinkedHashMap<>();

  private StoreKit(TestCluster cluster, UnaryOperator<StoreConfig.Builder> customizer) {
    this.cluster = cluster;
    this.raftBase = TestCluster.freePortRange(10);
    this.customizer = customizer;
  }

  /**
   * Starts {@code members} members ({@code node-1..}) with a store on each and waits for a leader.
   *
   * @param members at least 3
   * @return the kit
   */
  public static StoreKit start(int members) {
    return start(members, UnaryOperator.identity());
  }

  /**
   * Starts the kit with extra store settings.
   *
   * @param members at least 3
   * @param customizer applied to every member's {@link #storeConfigBuilder}
   * @return the kit
   */
  public static StoreKit start(int members, UnaryOperator<StoreConfig.Builder> customizer) {
    return start(members, UnaryOperator.identity(), customizer);
  }

  /**
   * Starts the kit with extra cluster settings (e.g. security) and extra store settings.
   *
   * @param members at least 3
   * @param clusterCustomizer applied to every member's cluster config ({@link TestCluster#start(int, UnaryOperator)})
   * @param customizer applied to every member's {@link #storeConfigBuilder}
   * @return the kit
   */
  public static StoreKit start(int members, UnaryOperator<ClusterConfig.Builder> clusterCustomizer,
      UnaryOperator<StoreConfig.Builder> customizer) {
    StoreKit kit = new StoreKit(TestCluster.start(members, clusterCustomizer), customizer);
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

  /**
   * Returns the kit's store settings for a raft port range: voters {@code node-1..3}, timeout 5 s, TTLs 100 ms..1 min,
   * drift 20 ms. Members in other processes use {@code storeConfigBuilder(kit.raftBase()).build()}.
   *
   * @param raftBase the first raft port
   * @return a builder
   */
  public static StoreConfig.Builder storeConfigBuilder(int raftBase) {
    return StoreConfig.voters(VOTERS.toArray(String[]::new))
        .ports(raftBase, 10)
        .operationTimeout(Duration.ofSeconds(5))
        .ttlBounds(Duration.ofMillis(100), Duration.ofMinutes(1))
        .maxClockDrift(Duration.ofMillis(20));
  }

  /**
   * Returns the first port of the raft transports' range.
   *
   * @return the port
   */
  public int raftBase() {
    return raftBase;
  }

  /**
   * Opens (or reopens) the member's store.
   *
   * @param name the member
   * @return its store
   */
  public synchronized ClusterStore open(String name) {
    return open(name, UnaryOperator.identity());
  }

  /**
   * Closes the member's store (if open) and opens it again with extra settings.
   *
   * @param name the member
   * @param extra applied after the kit's customizer
   * @return its store
   */
  public synchronized ClusterStore open(String name, UnaryOperator<StoreConfig.Builder> extra) {
    ClusterStore old = stores.remove(name);
    if (old != null) {
      old.close();
    }
    StoreConfig.Builder b = customizer.apply(storeConfigBuilder(raftBase));
    ClusterStore s = ClusterStore.open(cluster.member(name), extra.apply(b).build());
    stores.put(name, s);
    return s;
  }

  /**
   * Joins a new cluster member (or rejoins a killed one) and opens its store.
   *
   * @param name the member
   * @return its store
   */
  public ClusterStore join(String name) {
    cluster.join(name);
    return open(name);
  }

  /**
   * Closes a member's store and leaves the cluster gracefully.
   *
   * @param name the member
   */
  public void leave(String name) {
    ClusterStore s;
    synchronized (this) {
      s = stores.remove(name);
    }
    if (s != null) {
      s.close();
    }
    cluster.leave(name);
  }

  /**
   * Returns a member's store.
   *
   * @param name the member
   * @return its store, or null if not open
   */
  public synchronized ClusterStore store(String name) {
    return stores.get(name);
  }

  /**
   * Returns the open stores.
   *
   * @return a copy, in opening order
   */
  public synchronized List<ClusterStore> stores() {
    return new ArrayList<>(stores.values());
  }

  /**
   * Waits (30 s at most) until every live voter knows the same leader, and returns its name.
   *
   * @return the leader
   */
  public String awaitLeader() {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
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

  /**
   * Crashes a member: its raft node and its cluster membership stop at once.
   *
   * @param name the member
   */
  public void kill(String name) {
    ClusterStore s;
    synchronized (this) {
      s = stores.remove(name);
    }
    if (s instanceof DefaultClusterStore d) {
      d.crash();
    }
    cluster.kill(name);
  }

  /**
   * Splits cluster and raft channels alike.
   *
   * @param sideA the members of one side
   * @param sideB the members of the other side
   */
  public void partition(List<String> sideA, List<String> sideB) {
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
        DISCARD d = TestCluster.discard(ch);
        for (Map.Entry<String, Address> e : raftAddresses.entrySet()) {
          if (!group.contains(e.getKey())) {
            d.addIgnoreMember(e.getValue());
          }
        }
      }
    }
  }

  /** Heals every partition, of cluster and raft channels. */
  public void heal() {
    cluster.heal();
    for (String n : cluster.names()) {
      JChannel ch = raft(n);
      if (ch != null) {
        TestCluster.discard(ch).resetIgnoredMembers();
      }
    }
  }

  private JChannel raft(String name) {
    ClusterStore s = store(name);
    return s instanceof DefaultClusterStore d ? d.raftChannel() : null;
  }

  /**
   * Returns a member's cluster.
   *
   * @param name the member
   * @return its cluster
   */
  public Cluster member(String name) {
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
