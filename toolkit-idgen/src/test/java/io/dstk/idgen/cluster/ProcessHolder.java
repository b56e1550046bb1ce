package io.dstk.idgen.cluster;

import io.dstk.idgen.SnowflakeGenerator;
import io.dstk.idgen.WorkerIdUnavailableException;
import io.dstk.membership.Cluster;
import io.dstk.membership.TestCluster;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreKit;

import java.util.concurrent.locks.LockSupport;

/**
 * A member in its own JVM for {@link ProcessKillTest}: joins the test cluster, leases a worker id of a group and prints
 * {@code ID <id>} lines until it is killed, or a {@code LOST <reason>} line and exits when its worker id is lost. Arguments: cluster name, base port, raft base port, node name, group.
 */
public final class ProcessHolder {
    private ProcessHolder() {
    }

    /**
     * Runs the holder.
     *
     * @param args cluster name, base port, raft base port, node name, group
     */
    public static void main(String[] args) {
        Cluster cluster = Cluster.join(TestCluster.fastLocalhost(args[0], Integer.parseInt(args[1]))
                .nodeName(args[3]).build());
        ClusterStore store = ClusterStore.open(cluster, StoreKit.storeConfigBuilder(Integer.parseInt(args[2])).build());
        store.awaitQuorum(java.time.Duration.ofSeconds(60));
        ClusterWorkerIdSource source = ClusterWorkerIdSourceTest.source(store, args[4]).maxWorkerIds(1).build();
        SnowflakeGenerator gen = ClusterWorkerIdSourceTest.generator(source);
        System.out.println("HOLDER " + gen.nodeId());
        for (;;) {
            try {
                System.out.println("ID " + gen.nextId());
            } catch (WorkerIdUnavailableException e) {
                System.out.println("LOST " + e.getMessage());
                System.out.flush();
                Runtime.getRuntime().halt(3);
            }
            System.out.flush();
            LockSupport.parkNanos(2_000_000);
        }
    }
}
