package io.dstk.idgen.cluster;

import io.dstk.idgen.SnowflakeGenerator;
import io.dstk.idgen.WorkerIdUnavailableException;
import io.dstk.membership.Cluster;
import io.dstk.membership.TestCluster;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreKit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A member in its own JVM for {@link ProcessKillTest} and {@link ProcessRestartTest}: joins the test cluster, leases a
 * worker id of a group (retrying for up to 60 s while every id is held), prints {@code HOLDER <worker id>}, then
 * {@code ID <id>;} lines until it is killed, or a {@code LOST <reason>} line and exits when its worker id is lost.
 * Arguments: cluster name, base port, raft base port, node name, group, and optionally the number of worker ids
 * (default 1) and the lease TTL in ms (default {@link ClusterWorkerIdSourceTest#TTL}).
 */
public final class ProcessHolder {
    private static final Pattern ID_LINE = Pattern.compile("ID (-?[0-9]{1,19});");

    private ProcessHolder() {
    }

    /**
     * Reads an {@code ID} line; a line cut short by a kill is not one.
     *
     * @param line a line of the holder's output
     * @return the id, or null if the line is not a complete {@code ID} line
     */
    static Long parseId(String line) {
        Matcher m = ID_LINE.matcher(line);
        return m.matches() ? Long.valueOf(m.group(1)) : null;
    }

    /**
     * Runs the holder.
     *
     * @param args cluster name, base port, raft base port, node name, group[, worker ids[, lease TTL ms]]
     */
    public static void main(String[] args) {
        Cluster cluster = Cluster.join(TestCluster.fastLocalhost(args[0], Integer.parseInt(args[1]))
                .nodeName(args[3]).build());
        ClusterStore store = ClusterStore.open(cluster, StoreKit.storeConfigBuilder(Integer.parseInt(args[2])).build());
        store.awaitQuorum(Duration.ofSeconds(60));
        int workerIds = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        Duration ttl = args.length > 6 ? Duration.ofMillis(Long.parseLong(args[6])) : ClusterWorkerIdSourceTest.TTL;
        ClusterWorkerIdSource source = ClusterWorkerIdSourceTest.source(store, args[4]).maxWorkerIds(workerIds)
                .leaseTtl(ttl).build();
        SnowflakeGenerator gen = null;
        long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (gen == null) {
            try {
                gen = ClusterWorkerIdSourceTest.generator(source);
            } catch (WorkerIdUnavailableException e) {
                if (System.nanoTime() - giveUp > 0) {
                    throw e;
                }
                LockSupport.parkNanos(20_000_000);
            }
        }
        System.out.println("HOLDER " + gen.nodeId());
        for (;;) {
            try {
                System.out.println("ID " + gen.nextId() + ";");
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
