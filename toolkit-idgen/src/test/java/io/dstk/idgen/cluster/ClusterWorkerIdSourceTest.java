package io.dstk.idgen.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dstk.idgen.IdGenerator;
import io.dstk.idgen.SnowflakeGenerator;
import io.dstk.idgen.SnowflakeLayout;
import io.dstk.idgen.WorkerIdLease;
import io.dstk.idgen.WorkerIdUnavailableException;
import io.dstk.idgen.micrometer.WorkerIdLeaseMetrics;
import io.dstk.store.ClusterStore;
import io.dstk.store.StoreKit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Cluster-leased worker ids on 5 members in one JVM (3 voters), TTL 3 s, drift and lead 50 ms each. The TTL is long
 * enough that renewals (every TTL / 3, each a raft commit) keep a lease through the stalls of a loaded machine; the
 * tests about deadlines move a virtual monotonic clock instead of waiting for one to pass.
 */
class ClusterWorkerIdSourceTest {
    static final SnowflakeLayout LAYOUT = SnowflakeLayout.twitter();
    static final Duration TTL = Duration.ofSeconds(3);
    static final Duration DRIFT = Duration.ofMillis(50);
    static final Duration LEAD = Duration.ofMillis(50);

    private static StoreKit kit;

    @BeforeAll
    static void startCluster() {
        kit = StoreKit.start(5);
    }

    @AfterAll
    static void stopCluster() {
        if (kit != null) {
            kit.close();
        }
    }

    static ClusterWorkerIdSource.Builder source(ClusterStore store, String group) {
        return ClusterWorkerIdSource.builder(store).group(group).leaseTtl(TTL).maxClockDrift(DRIFT)
                .maxLogicalClockLead(LEAD);
    }

    static SnowflakeGenerator generator(ClusterWorkerIdSource source) {
        return IdGenerator.snowflake(LAYOUT).workerIds(source).build();
    }

    @Test
    void fiveMembersGetDistinctWorkerIds() {
        fiveMembers("five");
    }

    /** The chaos profile repeats the five-member and the restart tests (each repetition in groups of its own). */
    @Tag("chaos")
    @RepeatedTest(5)
    void repeatedFiveMembersAndRestarts(RepetitionInfo r) {
        fiveMembers("five-" + r.getCurrentRepetition());
        restartRepeatedly("restarts-" + r.getCurrentRepetition(), "r" + r.getCurrentRepetition() + "-");
    }

    private static void fiveMembers(String group) {
        List<ClusterWorkerIdSource> sources = new ArrayList<>();
        List<SnowflakeGenerator> gens = new ArrayList<>();
        try {
            for (ClusterStore store : kit.stores()) {
                ClusterWorkerIdSource s = source(store, group).build();
                sources.add(s);
                gens.add(generator(s));
            }
            Set<Long> workerIds = new HashSet<>();
            Set<Long> ids = new HashSet<>();
            for (SnowflakeGenerator g : gens) {
                workerIds.add(g.nodeId());
                for (long id : g.nextIds(1000)) {
                    ids.add(id);
                }
            }
            assertThat(workerIds).hasSize(5);
            assertThat(ids).hasSize(5000);
            assertThat(kit.stores().get(0).leaseInfo("dstk.idgen." + group + "." + gens.get(0).nodeId())).isPresent();
        } finally {
            gens.forEach(SnowflakeGenerator::close);
            sources.forEach(ClusterWorkerIdSource::close);
        }
    }

    @Test
    void everyIdTaken_failsWithClearErrorInsteadOfSharing() {
        ClusterWorkerIdSource a = source(kit.store("node-4"), "tiny").maxWorkerIds(2).build();
        ClusterWorkerIdSource b = source(kit.store("node-5"), "tiny").maxWorkerIds(2).build();
        ClusterWorkerIdSource c = source(kit.store("node-1"), "tiny").maxWorkerIds(2).build();
        try (a; b; c; SnowflakeGenerator ga = generator(a); SnowflakeGenerator gb = generator(b)) {
            assertThat(ga.nodeId()).isNotEqualTo(gb.nodeId());
            assertThatThrownBy(() -> generator(c))
                    .isInstanceOf(WorkerIdUnavailableException.class)
                    .hasMessageContaining("all 2 worker ids of group tiny are held");
            assertThat(c.stats().grants()).isZero();
        }
    }

    @Test
    void leaseIsRenewedWhileHeld_andReleasedOnClose_metricsCountIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClusterWorkerIdSource s = source(kit.store("node-2"), "renew").build();
        new WorkerIdLeaseMetrics(s).bindTo(registry);
        SnowflakeGenerator g = generator(s);
        try (s) {
            await().atMost(Duration.ofSeconds(60)).until(() -> s.stats().renewals() >= 3);
            g.nextId();
            assertThat(registry.get(WorkerIdLeaseMetrics.RENEWALS).tag("group", "renew").functionCounter().count())
                    .isGreaterThanOrEqualTo(3);
            assertThat(registry.get(WorkerIdLeaseMetrics.GRANTS).functionCounter().count()).isEqualTo(1);
            assertThat(registry.get(WorkerIdLeaseMetrics.HELD).gauge().value()).isEqualTo(1);
            g.close();
            assertThat(registry.get(WorkerIdLeaseMetrics.HELD).gauge().value()).isZero();
            assertThat(registry.get(WorkerIdLeaseMetrics.LOSSES).functionCounter().count()).isZero();
            assertThat(kit.store("node-1").leaseInfo("dstk.idgen.renew." + g.nodeId())).isEmpty();
        } finally {
            g.close();
        }
    }

    @Test
    void reGrantedIdStartsAfterTheQuarantine() {
        ClusterWorkerIdSource first = source(kit.store("node-3"), "quarantine").maxWorkerIds(1).build();
        ClusterWorkerIdSource second = source(kit.store("node-4"), "quarantine").maxWorkerIds(1).build();
        try (first; second) {
            long lastOfFirst;
            try (SnowflakeGenerator g = generator(first)) {
                lastOfFirst = g.nextIds(10)[9];
            }
            WorkerIdLease lease = second.acquire(LAYOUT);
            try (lease) {
                long oldTs = LAYOUT.decode(lastOfFirst).timestamp().toEpochMilli();
                assertThat(lease.issuedUpToMillis()).isGreaterThan(oldTs + LEAD.plus(DRIFT).toMillis());
                assertThat(lease.nodeId()).isZero();
            }
        }
    }

    @Test
    void closingTheSource_failsItsGeneratorsAtOnce_evenWithinWhatTheyWereGranted() {
        ClusterWorkerIdSource s = source(kit.store("node-2"), "revoke").build();
        SnowflakeGenerator g = generator(s);
        try (g) {
            long first = g.nextId();
            s.close();
            assertThatThrownBy(g::nextId).isInstanceOf(WorkerIdUnavailableException.class)
                    .hasMessageContaining("it was closed");
            assertThatThrownBy(() -> g.nextIds(3)).isInstanceOf(WorkerIdUnavailableException.class);
            assertThat(LAYOUT.decode(first).nodeId()).isEqualTo(g.nodeId());
        } finally {
            s.close();
        }
    }

    @Test
    void earlyReleaseWithNoLeadAndNoDrift_nextHolderStartsAfterEverythingTheOldLeaseGranted() {
        ClusterWorkerIdSource first = source(kit.store("node-3"), "early").maxWorkerIds(1)
                .maxClockDrift(Duration.ZERO).maxLogicalClockLead(Duration.ZERO).build();
        ClusterWorkerIdSource second = source(kit.store("node-4"), "early").maxWorkerIds(1)
                .maxClockDrift(Duration.ZERO).maxLogicalClockLead(Duration.ZERO).build();
        try (first; second) {
            long granted;
            try (WorkerIdLease old = first.acquire(LAYOUT)) {
                granted = old.extend(System.currentTimeMillis());
            }
            try (WorkerIdLease next = second.acquire(LAYOUT)) {
                assertThat(next.nodeId()).isZero();
                assertThat(next.issuedUpToMillis()).isGreaterThanOrEqualTo(granted);
            }
        }
    }

    /**
     * Regression: with maxLogicalClockLead and maxClockDrift 0, a closed source's generator went on issuing under
     * its last grant (up to CHECK_INTERVAL_MILLIS ahead) while the next holder of its worker id, quarantined for
     * less than that, issued ids with the same timestamps: duplicates. Virtual time (one wall clock for both
     * members, the quarantine wait advances it) makes the overlap certain on the old code.
     */
    @Test
    void closedSourceWithNoLeadAndNoDrift_itsGeneratorNeverSharesAnIdWithTheNextHolder() throws Exception {
        AtomicLong wall = new AtomicLong(System.currentTimeMillis());
        AtomicLong skipped = new AtomicLong();
        InstantSource clock = () -> Instant.ofEpochMilli(wall.get());
        LongSupplier ticker = () -> System.nanoTime() + skipped.get();
        LongConsumer parker = nanos -> {
            skipped.addAndGet(nanos);
            wall.addAndGet((nanos + 999_999) / 1_000_000);
        };
        ClusterWorkerIdSource first = source(kit.store("node-1"), "ahead").maxWorkerIds(1).maxClockDrift(Duration.ZERO)
                .maxLogicalClockLead(Duration.ZERO).clock(clock).ticker(ticker).parker(parker).build();
        ClusterWorkerIdSource second = source(kit.store("node-2"), "ahead").maxWorkerIds(1).maxClockDrift(Duration.ZERO)
                .maxLogicalClockLead(Duration.ZERO).clock(clock).ticker(ticker).parker(parker).build();
        IssueLog old = new IssueLog("node-1");
        IssueLog next = new IssueLog("node-2");
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] issuing = new Thread[1];
        try (first; second; SnowflakeGenerator g1 = IdGenerator.snowflake(LAYOUT).workerIds(first).clock(clock).build()) {
            issuing[0] = new Thread(() -> old.issueUntil(g1, stop::get), "issuing");
            issuing[0].start();
            await().atMost(Duration.ofSeconds(60)).until(() -> old.ids().size() >= 20);

            first.close();
            try (SnowflakeGenerator g2 = IdGenerator.snowflake(LAYOUT).workerIds(second).clock(clock).build()) {
                wall.addAndGet(10);
                long tick = wall.get();
                for (int i = 0; i < 5; i++) {
                    assertThat(next.issue(g2)).isTrue();
                }
                // The old generator either stopped or issued at the new holder's tick.
                Thread t = issuing[0];
                await().atMost(Duration.ofSeconds(60)).until(() -> !t.isAlive()
                        || LAYOUT.decode(old.lastId()).timestamp().toEpochMilli() >= tick);
                wall.addAndGet(ClusterWorkerIdSource.CHECK_INTERVAL_MILLIS * 2);
                assertThat(next.issue(g2)).isTrue();
            }
        } finally {
            stop.set(true);
            if (issuing[0] != null) {
                issuing[0].join(60_000);
            }
        }
        assertThat(old.failure).isInstanceOf(WorkerIdUnavailableException.class);
        Invariants.assertNoDuplicates(old, next);
        Invariants.assertLaterTimestamps(old, next);
    }

    @Test
    void extendRefusesTimestampsBeyondTheLogicalClockLead() {
        ClusterWorkerIdSource s = source(kit.store("node-5"), "lead").build();
        try (s; WorkerIdLease lease = s.acquire(LAYOUT)) {
            long now = System.currentTimeMillis();
            assertThat(lease.extend(now)).isBetween(now, now + TTL.toMillis());
            assertThatThrownBy(() -> lease.extend(now + 10_000))
                    .isInstanceOf(WorkerIdUnavailableException.class).hasMessageContaining("maxLogicalClockLead");
        }
    }

    @Test
    void holderChecksItsDeadlineOnTheMonotonicClock_notTheWallClock() {
        AtomicLong wall = new AtomicLong(System.currentTimeMillis());
        AtomicLong monotonic = new AtomicLong(); // virtual: stands still unless the test moves it
        InstantSource clock = () -> Instant.ofEpochMilli(wall.get());
        CountDownLatch never = new CountDownLatch(1);
        ScheduledExecutorService stopped = stoppedScheduler(never);
        ClusterWorkerIdSource s = source(kit.store("node-3"), "ticker").clock(clock).scheduler(stopped)
                .ticker(monotonic::get).build();
        try (s; SnowflakeGenerator g = IdGenerator.snowflake(LAYOUT).workerIds(s).clock(clock).build()) {
            long first = g.nextId();
            // A pause of one TTL that the wall clock did not see (e.g. it was stepped back meanwhile).
            monotonic.addAndGet(TTL.toNanos());
            wall.addAndGet(ClusterWorkerIdSource.CHECK_INTERVAL_MILLIS + 1);
            assertThatThrownBy(g::nextId).isInstanceOf(WorkerIdUnavailableException.class)
                    .hasMessageContaining("deadline passed");
            assertThat(s.stats().losses()).isEqualTo(1);
            assertThat(LAYOUT.decode(first).nodeId()).isEqualTo(g.nodeId());
        } finally {
            never.countDown();
            stopped.shutdownNow();
        }
    }

    @Test
    void extendNeverGrantsTimestampsPastTheHoldersDeadline() {
        AtomicLong wall = new AtomicLong(System.currentTimeMillis());
        AtomicLong monotonic = new AtomicLong(); // virtual: stands still unless the test moves it
        InstantSource clock = () -> Instant.ofEpochMilli(wall.get());
        CountDownLatch never = new CountDownLatch(1);
        ScheduledExecutorService noRenewals = stoppedScheduler(never);
        LongSupplier ticker = monotonic::get;
        ClusterWorkerIdSource s = source(kit.store("node-5"), "deadline").clock(clock).scheduler(noRenewals)
                .ticker(ticker).build();
        long before = ticker.getAsLong();
        try (s; WorkerIdLease lease = s.acquire(LAYOUT)) {
            // The deadline is TTL - drift after the request was sent, at "before" on the virtual clock however long
            // the request took. Jump to 30 ms before it.
            long jump = before + TTL.minus(DRIFT).minusMillis(30).toNanos() - ticker.getAsLong();
            monotonic.addAndGet(jump);
            wall.addAndGet(jump / 1_000_000);
            long now = wall.get();
            long limit = lease.extend(now);
            assertThat(limit).as("capped by the deadline, below the usual grant").isBetween(now,
                    now + ClusterWorkerIdSource.CHECK_INTERVAL_MILLIS - 1);
            monotonic.addAndGet(Duration.ofMillis(60).toNanos());
            wall.addAndGet(60);
            assertThatThrownBy(() -> lease.extend(wall.get())).isInstanceOf(WorkerIdUnavailableException.class)
                    .hasMessageContaining("deadline passed");
        } finally {
            never.countDown();
            noRenewals.shutdownNow();
        }
    }

    /** A scheduler whose one thread is blocked until {@code release}: renewals queue up and never run. */
    private static ScheduledExecutorService stoppedScheduler(CountDownLatch release) {
        ScheduledExecutorService stopped = Executors.newSingleThreadScheduledExecutor();
        stopped.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return stopped;
    }

    @Test
    void pausedHolderPastExpiry_stopsIssuing_andItsIdGoesToAnotherOnlyAfterTheQuarantine() throws Exception {
        ScheduledExecutorService pausable = Executors.newSingleThreadScheduledExecutor();
        ClusterWorkerIdSource paused = source(kit.store("node-4"), "pause").maxWorkerIds(1).scheduler(pausable).build();
        ClusterWorkerIdSource other = source(kit.store("node-5"), "pause").maxWorkerIds(1).build();
        IssueLog before = new IssueLog("node-4");
        IssueLog after = new IssueLog("node-4 resumed");
        IssueLog next = new IssueLog("node-5");
        CountDownLatch resume = new CountDownLatch(1);
        try (paused; other; SnowflakeGenerator g4 = generator(paused)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> paused.stats().renewals() >= 1);
            for (int i = 0; i < 20; i++) {
                assertThat(before.issue(g4)).isTrue();
            }
            // "kill -STOP": the holder neither renews nor issues.
            pausable.execute(() -> {
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            SnowflakeGenerator g5 = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .ignoreException(WorkerIdUnavailableException.class).until(() -> generator(other), g -> true);
            try (g5) {
                for (int i = 0; i < 20; i++) {
                    assertThat(next.issue(g5)).isTrue();
                }
                // "kill -CONT": the old holder finds its lease gone before issuing anything.
                resume.countDown();
                assertThat(after.issue(g4)).isFalse();
                assertThat(after.failure).hasMessageContaining("worker id 0");
                await().atMost(Duration.ofSeconds(60)).until(() -> paused.stats().losses() == 1);
                for (int i = 0; i < 20; i++) {
                    assertThat(next.issue(g5)).isTrue();
                }
            }
        } finally {
            resume.countDown();
            pausable.shutdownNow();
            pausable.awaitTermination(60, TimeUnit.SECONDS);
        }
        assertThat(g5NodeIds(before, next)).containsOnly(0L);
        Invariants.assertNoDuplicates(before, after, next);
        Invariants.assertDisjointInTime(before, next);
        Invariants.assertLaterTimestamps(before, next);
    }

    private static Set<Long> g5NodeIds(IssueLog... logs) {
        Set<Long> nodes = new HashSet<>();
        for (IssueLog l : logs) {
            for (long id : l.ids()) {
                nodes.add(LAYOUT.decode(id).nodeId());
            }
        }
        return nodes;
    }

    @Test
    void membersRestartedRepeatedly_neverShareALiveId() {
        restartRepeatedly("restarts", "restart-");
    }

    private static void restartRepeatedly(String group, String prefix) {
        Map<String, ClusterWorkerIdSource> sources = new HashMap<>();
        Map<String, SnowflakeGenerator> gens = new HashMap<>();
        Map<Long, IssueLog> lastLogOfId = new HashMap<>();
        Map<String, IssueLog> logOfName = new HashMap<>();
        List<IssueLog> logs = new ArrayList<>();
        List<String> live = new ArrayList<>(List.of(prefix + "1", prefix + "2"));
        int fresh = 3;
        try {
            for (String n : live) {
                kit.join(n);
            }
            for (String n : List.of("node-1", "node-2", "node-3", "node-4", "node-5", prefix + "1", prefix + "2")) {
                logOfName.put(n, start(group, n, sources, gens, lastLogOfId, logs));
            }
            for (int round = 0; round < 6; round++) {
                String victim = live.remove(0);
                gens.remove(victim).close();
                sources.remove(victim).close();
                kit.leave(victim);
                String name = round % 2 == 0 ? victim : prefix + fresh++;
                kit.join(name);
                live.add(name);
                logOfName.put(name, start(group, name, sources, gens, lastLogOfId, logs));
                // Live: able to issue an id now (on a loaded machine a holder may lose its lease; it then fails).
                Set<Long> liveIds = new HashSet<>();
                Map<String, String> holders = new java.util.TreeMap<>();
                gens.forEach((n, g) -> holders.put(n, g.nodeId() + " " + sources.get(n).stats()));
                for (Map.Entry<String, SnowflakeGenerator> e : gens.entrySet()) {
                    if (logOfName.get(e.getKey()).issue(e.getValue())) {
                        assertThat(liveIds.add(e.getValue().nodeId())).as("live worker ids %s", holders).isTrue();
                    }
                }
            }
        } finally {
            gens.values().forEach(SnowflakeGenerator::close);
            sources.values().forEach(ClusterWorkerIdSource::close);
            live.forEach(kit::leave);
        }
        Invariants.assertNoDuplicates(logs.toArray(IssueLog[]::new));
    }

    private static IssueLog start(String group, String name, Map<String, ClusterWorkerIdSource> sources,
            Map<String, SnowflakeGenerator> gens, Map<Long, IssueLog> lastLogOfId, List<IssueLog> logs) {
        ClusterWorkerIdSource s = source(kit.store(name), group).maxWorkerIds(8).build();
        SnowflakeGenerator g = generator(s);
        sources.put(name, s);
        gens.put(name, g);
        IssueLog log = new IssueLog(name + "@" + g.nodeId());
        for (int i = 0; i < 50; i++) {
            assertThat(log.issue(g)).isTrue();
        }
        IssueLog previous = lastLogOfId.put(g.nodeId(), log);
        if (previous != null) {
            Invariants.assertDisjointInTime(previous, log);
            Invariants.assertLaterTimestamps(previous, log);
        }
        logs.add(log);
        return log;
    }
}
