package io.dstk.ratelimit.cluster;

import io.dstk.hash.ConsistentHash;
import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.ClusterRing;
import io.dstk.membership.ClusterView;
import io.dstk.membership.Member;
import io.dstk.ratelimit.Budget;
import io.dstk.ratelimit.BudgetState;
import io.dstk.ratelimit.BudgetStoreException;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * A cluster member in its own process for {@link RateLimitProcessTest}. It joins with the localhost preset, prints
 * {@code VIEW <name,name,...>} on every view, then {@code READY}, and waits for commands on stdin.
 *
 * <ul>
 *   <li>{@code limiter <cluster> <basePort> <name>}: runs a leased-token {@link ClusterRateLimiter} named
 *   {@code proc} ({@link #LIMIT}/s, fail-closed). On {@code GO <key>} it calls {@code tryAcquire(key)} about
 *   every millisecond and prints {@code A <admitted so far>} after each admission (the line is the service: an
 *   admission whose line was never printed was never served), and {@code OWNER <name>} whenever the key's owner
 *   on its ring changes.</li>
 *   <li>{@code budget <cluster> <basePort> <name> <raftBase> <voters>}: opens the cluster store and a
 *   {@link ClusterBudget} named {@code proc-budget} ({@link #BUDGET} units, 1 s action lease). On {@code GO} it
 *   calls {@code tryAcquire(1)} every 50 ms and prints {@code GRANT}, {@code DENY} or {@code ERROR <message>},
 *   and once {@code NOTIFIED <epoch>} when the state records the kill switch as run. The kill-switch action
 *   prints {@code TRIP <idempotency key>} and then blocks until the line {@code RELEASE} arrives, so the test
 *   can kill the member while it runs the action.</li>
 * </ul>
 */
public final class RateLimitProcessMember {
    /** Permits per second of the cluster limiter (capacity the same). */
    static final long LIMIT = 100;
    /** Units of the budget. */
    static final long BUDGET = 20;

    private static final CountDownLatch GO = new CountDownLatch(1);
    private static final CountDownLatch RELEASE = new CountDownLatch(1);
    private static final AtomicReference<String> ARGUMENT = new AtomicReference<>("");

    private RateLimitProcessMember() {
    }

    /**
     * Runs the member until it is killed.
     *
     * @param args see the class comment
     * @throws InterruptedException never in practice: the process is killed
     */
    public static void main(String[] args) throws InterruptedException {
        String name = args[3];
        Cluster cluster = Cluster.join(ClusterConfig.localhost(args[1]).ports(Integer.parseInt(args[2]), 20)
                .nodeName(name).build());
        cluster.addListener(e -> print(e.newView()));
        print(cluster.view());
        Thread commands = new Thread(RateLimitProcessMember::readCommands, "commands");
        commands.setDaemon(true);
        commands.start();
        if (args[0].equals("limiter")) {
            runLimiter(cluster);
        } else {
            runBudget(cluster, name, Integer.parseInt(args[4]), args[5]);
        }
    }

    private static void readCommands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("GO")) {
                    ARGUMENT.set(line.substring(2).trim());
                    GO.countDown();
                } else if (line.equals("RELEASE")) {
                    RELEASE.countDown();
                }
            }
        } catch (IOException e) {
            // the test ended
        }
    }

    private static void runLimiter(Cluster cluster) throws InterruptedException {
        ClusterRateLimiter limiter = ClusterRateLimiter.builder(cluster, "proc", LIMIT, Duration.ofSeconds(1))
                .onOwnerUnreachable(ClusterRateLimiter.OwnerUnreachable.FAIL_CLOSED).build();
        println("READY");
        GO.await();
        String key = ARGUMENT.get();
        ClusterRing ring = ClusterRing.create(cluster);
        ring.addListener(change -> printOwner(change.current(), key));
        printOwner(ring.current(), key);
        long admitted = 0;
        while (true) {
            if (limiter.tryAcquire(key)) {
                admitted++;
                println("A " + admitted);
            }
            LockSupport.parkNanos(1_000_000L); // the load: about 1000 calls per second
        }
    }

    private static void printOwner(ConsistentHash<Member> ring, String key) {
        println("OWNER " + ring.nodeFor(key).name());
    }

    private static void runBudget(Cluster cluster, String name, int raftBase, String voters)
            throws InterruptedException {
        StoreConfig config = StoreConfig.voters(voters.split(",")).ports(raftBase, 10)
                .ttlBounds(Duration.ofMillis(100), Duration.ofMinutes(1)).maxClockDrift(Duration.ofMillis(20))
                .build();
        ClusterStore store = ClusterStore.open(cluster, config);
        if (!store.awaitQuorum(Duration.ofSeconds(60))) {
            println("ERROR no quorum");
        }
        Budget budget = null;
        while (budget == null) {
            try {
                budget = ClusterBudget.builder(store, "proc-budget", BUDGET).actionLease(Duration.ofSeconds(1))
                        .onActionFailure((event, e) -> println("ACTION-FAILED " + e))
                        .onTrip(event -> {
                            println("TRIP " + event.idempotencyKey() + " " + name);
                            try {
                                RELEASE.await(60, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }).build();
            } catch (BudgetStoreException e) {
                println("ERROR " + e.getMessage()); // the store is still electing: try again
                LockSupport.parkNanos(100_000_000L);
            }
        }
        println("READY");
        GO.await();
        boolean notified = false;
        while (true) {
            try {
                boolean granted = budget.tryAcquire(1);
                println(granted ? "GRANT" : "DENY");
                if (!granted && !notified) {
                    BudgetState state = budget.state();
                    if (state.tripNotified()) {
                        notified = true;
                        println("NOTIFIED " + state.epoch());
                    }
                }
            } catch (BudgetStoreException e) {
                println("ERROR " + e.getMessage());
            }
            LockSupport.parkNanos(50_000_000L); // the load: one call every 50 ms
        }
    }

    private static long lastPrintedView = -1;

    /*
     * The listener and main() both print views; main() may read a view, lose the CPU, and print it after the
     * listener printed a newer one. Dropping a view older than the last one printed keeps the last VIEW line the
     * current view, which the test waits on.
     */
    private static synchronized void print(ClusterView view) {
        if (view.id() <= lastPrintedView) {
            return;
        }
        lastPrintedView = view.id();
        println("VIEW " + view.members().stream().map(Member::name).collect(Collectors.joining(",")));
    }

    private static synchronized void println(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
