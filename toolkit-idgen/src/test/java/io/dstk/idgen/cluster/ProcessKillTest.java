package io.dstk.idgen.cluster;

import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.DRIFT;
import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.LAYOUT;
import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.LEAD;
import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.generator;
import static io.dstk.idgen.cluster.ClusterWorkerIdSourceTest.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.idgen.SnowflakeGenerator;
import io.dstk.idgen.WorkerIdUnavailableException;
import io.dstk.store.StoreKit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A holder in its own JVM is killed with {@code kill -9}, or stopped with {@code kill -STOP} past its expiry and
 * continued after another member took its id: the id goes to another member only after the quarantine, the stopped
 * holder fails on resuming, and no id is issued twice.
 */
class ProcessKillTest {

    @Test
    void killMinus9OfAHolder_itsIdIsReGrantedOnlyAfterExpiryPlusLeadPlusDrift() throws Exception {
        trial(false);
    }

    @Test
    void killStopOfAHolderPastExpiry_itStopsIssuingAndItsIdGoesToAnotherAfterTheQuarantine() throws Exception {
        trial(true);
    }

    @Tag("chaos")
    @RepeatedTest(5)
    void repeatedKillMinus9AndKillStopOfAHolder(RepetitionInfo r) throws Exception {
        trial(r.getCurrentRepetition() % 2 == 0);
    }

    /** With {@code pause}: kill -STOP, let another member take the id, then kill -CONT; otherwise kill -9. */
    private static void trial(boolean pause) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (StoreKit kit = StoreKit.start(3)) {
            Process p = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Djava.net.preferIPv4Stack=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                    "-cp", System.getProperty("java.class.path"), ProcessHolder.class.getName(),
                    kit.cluster.clusterName(), Integer.toString(kit.cluster.basePort()),
                    Integer.toString(kit.raftBase()), "holder-proc", "proc")
                    .redirectErrorStream(true).start();
            List<Long> childIds = new CopyOnWriteArrayList<>();
            List<String> lost = new CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        Long id = ProcessHolder.parseId(line);
                        if (id != null) {
                            childIds.add(id);
                        } else if (line.startsWith("LOST ")) {
                            lost.add(line);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "holder-proc-reader");
            reader.setDaemon(true);
            reader.start();
            IssueLog successor = new IssueLog("node-2");
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> childIds.size() >= 50);
                if (pause) {
                    signal("STOP", p);
                } else {
                    p.destroyForcibly(); // SIGKILL
                    p.waitFor(60, TimeUnit.SECONDS);
                    reader.join(60_000);
                }
                try (ClusterWorkerIdSource s = source(kit.store("node-2"), "proc").maxWorkerIds(1).build()) {
                    SnowflakeGenerator g = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                            .ignoreException(WorkerIdUnavailableException.class).until(() -> generator(s), x -> true);
                    try (g) {
                        for (int i = 0; i < 50; i++) {
                            assertThat(successor.issue(g)).isTrue();
                        }
                        if (pause) {
                            signal("CONT", p);
                            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                            reader.join(60_000);
                            assertThat(lost).singleElement().asString().contains("worker id 0");
                            for (int i = 0; i < 50; i++) {
                                assertThat(successor.issue(g)).isTrue();
                            }
                        }
                    }
                }
            } finally {
                p.destroyForcibly();
            }
            long lastOfChild = childIds.get(childIds.size() - 1);
            long lastMillis = LAYOUT.decode(lastOfChild).timestamp().toEpochMilli();
            long firstMillis = LAYOUT.decode(successor.firstId()).timestamp().toEpochMilli();
            assertThat(LAYOUT.decode(successor.firstId()).nodeId()).isEqualTo(LAYOUT.decode(lastOfChild).nodeId());
            // The dead holder's last id came before its lease expired; the successor's first after expiry + lead
            // + drift.
            assertThat(firstMillis - lastMillis).isGreaterThan(LEAD.plus(DRIFT).toMillis());
            IssueLog child = new IssueLog("holder-proc");
            child.ids.addAll(childIds);
            Invariants.assertNoDuplicates(child, successor);
        }
    }

    private static void signal(String signal, Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
