package io.dstk.idgen.cluster;

import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.DRIFT;
import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.LAYOUT;
import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.LEAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.store.StoreKit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Holders in their own JVMs (lease TTL 2 s), two worker ids for two live holders: one after the other is killed with
 * {@code kill -9} and a new process (a new member) is started in its place, which waits until the dead one's id is
 * free again. The live holders never share a worker id, each worker id's next holder issues only timestamps above its previous holder's
 * (by more than lead + drift), and no id is issued twice across all processes.
 */
class ProcessRestartTest {
    private static final int WORKER_IDS = 2;
    /**
     * The holder that stays must not lose its lease while JVMs start on a loaded machine (a lost lease is safe, but
     * would end the trial early); shorter than the in-JVM tests' 3 s, as each round waits for the dead one's expiry.
     */
    private static final Duration TTL = Duration.ofSeconds(2);

    @Test
    void holdersKilledAndRestartedRepeatedly_neverShareALiveIdNorIssueAnIdTwice() throws Exception {
        trial("restarts", 3);
    }

    @Tag("chaos")
    @RepeatedTest(3)
    void repeatedKillMinus9AndRestartOfHolders(RepetitionInfo r) throws Exception {
        trial("restarts-" + r.getCurrentRepetition(), 6);
    }

    private static void trial(String group, int restarts) throws Exception {
        List<Child> all = new ArrayList<>();
        try (StoreKit kit = StoreKit.start(3)) {
            List<Child> live = new ArrayList<>();
            try {
                for (String name : List.of("holder-a0", "holder-b0")) {
                    Child c = Child.start(kit, name, group);
                    all.add(c);
                    live.add(c);
                }
                for (Child c : live) {
                    c.awaitIssuing(20);
                }
                assertDistinctWorkerIds(live);
                for (int round = 1; round <= restarts; round++) {
                    Child victim = live.remove(0);
                    victim.kill();
                    Child next = Child.start(kit, "holder-" + (round % 2 == 0 ? "b" : "a") + round, group);
                    all.add(next);
                    live.add(next);
                    int othersBefore = live.get(0).ids.size();
                    next.awaitIssuing(20);
                    assertThat(next.workerId).as("%s takes the dead holder's id", next.name)
                            .isEqualTo(victim.workerId);
                    assertDistinctWorkerIds(live);
                    // The other live holder kept its id and kept issuing meanwhile.
                    assertThat(live.get(0).lost).isEmpty();
                    assertThat(live.get(0).ids.size()).isGreaterThan(othersBefore);
                }
            } finally {
                for (Child c : all) {
                    c.kill();
                }
            }
        }
        List<IssueLog> logs = new ArrayList<>();
        Map<Long, IssueLog> lastOfWorkerId = new HashMap<>();
        for (Child c : all) {
            IssueLog log = new IssueLog(c.name + "@" + c.workerId);
            log.ids.addAll(c.ids);
            for (long id : log.ids) {
                assertThat(LAYOUT.decode(id).nodeId()).as("ids of %s", c.name).isEqualTo(c.workerId);
            }
            IssueLog previous = lastOfWorkerId.put(c.workerId, log);
            if (previous != null) {
                long gap = LAYOUT.decode(log.firstId()).timestamp().toEpochMilli()
                        - LAYOUT.decode(previous.lastId()).timestamp().toEpochMilli();
                assertThat(gap).as("%s after %s", log.holder, previous.holder)
                        .isGreaterThan(LEAD.plus(DRIFT).toMillis());
            }
            logs.add(log);
        }
        Invariants.assertNoDuplicates(logs.toArray(IssueLog[]::new));
    }

    private static void assertDistinctWorkerIds(List<Child> live) {
        Set<Long> ids = new HashSet<>();
        for (Child c : live) {
            assertThat(ids.add(c.workerId)).as("live holders %s share worker id %s", live, c.workerId).isTrue();
        }
    }

    /** One holder process and what it printed. */
    private static final class Child {
        final String name;
        final Process process;
        final List<Long> ids = new CopyOnWriteArrayList<>();
        final List<String> lost = new CopyOnWriteArrayList<>();
        final Thread reader;
        volatile long workerId = -1;

        private Child(String name, Process process) {
            this.name = name;
            this.process = process;
            this.reader = new Thread(this::read, name + "-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(StoreKit kit, String name, String group) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Djava.net.preferIPv4Stack=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                    "-cp", System.getProperty("java.class.path"), ProcessHolder.class.getName(),
                    kit.cluster.clusterName(), Integer.toString(kit.cluster.basePort()),
                    Integer.toString(kit.raftBase()), name, group, Integer.toString(WORKER_IDS),
                    Long.toString(TTL.toMillis()))
                    .redirectErrorStream(true).start();
            return new Child(name, p);
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    Long id = ProcessHolder.parseId(line);
                    if (id != null) {
                        ids.add(id);
                    } else if (line.startsWith("HOLDER ")) {
                        workerId = Long.parseLong(line.substring(7).trim());
                    } else if (line.startsWith("LOST ")) {
                        lost.add(line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        void awaitIssuing(int count) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .failFast(name + " exited", () -> !process.isAlive())
                    .until(() -> ids.size() >= count);
        }

        /** kill -9, then waits until the process is gone and its output is read to the end. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(10_000);
        }

        @Override
        public String toString() {
            return name + "@" + workerId;
        }
    }
}
