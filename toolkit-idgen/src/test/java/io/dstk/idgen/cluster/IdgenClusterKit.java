package io.dstk.idgen.cluster;

import static org.awaitility.Awaitility.await;

import io.dstk.membership.TestCluster;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreConfig;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;

/**
 * Test kit: a {@link TestCluster} (own cluster name and ports) with a store on every member, voters
 * {@code node-1..node-3}, short TTL bounds; crashes and partitions reach the store's raft channels too (through the
 * store's package-private fault hooks, by reflection).
 */
final class IdgenClusterKit implements AutoCloseable {
    static final List<String> VOTERS = List.of("node-1", "node-2", "node-3");

    final TestCluster cluster;
    private final int raftBase = TestCluster.freePortRange(10);
    private final Map<String, ClusterStore> stores = new LinkedHashMap<>();

    private IdgenClusterKit(TestCluster cluster) {
        this.cluster = cluster;
    }

    static IdgenClusterKit start(int members) {
        IdgenClusterKit kit = new IdgenClusterKit(TestCluster.start(members));
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

    /** The store settings of every member, also of members in other processes. */
    static StoreConfig storeConfig(int raftBase) {
        return StoreConfig.voters(VOTERS.toArray(String[]::new))
                .ports(raftBase, 10)
                .operationTimeout(Duration.ofSeconds(5))
                .ttlBounds(Duration.ofMillis(100), Duration.ofMinutes(1))
                .maxClockDrift(Duration.ofMillis(20))
                .build();
    }

    int raftBase() {
        return raftBase;
    }

    synchronized ClusterStore open(String name) {
        ClusterStore s = ClusterStore.open(cluster.member(name), storeConfig(raftBase));
        stores.put(name, s);
        return s;
    }

    /** Joins a member (new or returning) and opens its store. */
    ClusterStore join(String name) {
        cluster.join(name);
        return open(name);
    }

    /** Closes a member's store and leaves the cluster gracefully. */
    void leave(String name) {
        ClusterStore s;
        synchronized (this) {
            s = stores.remove(name);
        }
        if (s != null) {
            s.close();
        }
        cluster.leave(name);
    }

    synchronized ClusterStore store(String name) {
        return stores.get(name);
    }

    synchronized List<ClusterStore> stores() {
        return new ArrayList<>(stores.values());
    }

    String awaitLeader() {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            String leader = null;
            for (ClusterStore s : stores()) {
                if (!s.isVoter()) {
                    continue;
                }
                Optional<String> l = s.leader();
                if (l.isEmpty() || (leader != null && !leader.equals(l.get())) || store(l.get()) == null) {
                    return null;
                }
                leader = l.get();
            }
            return leader;
        }, l -> l != null);
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
        if (s == null || !s.isVoter()) {
            return null;
        }
        try {
            Method m = s.getClass().getDeclaredMethod("raftChannel");
            m.setAccessible(true);
            return (JChannel) m.invoke(s);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach the raft channel of " + name, e);
        }
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
