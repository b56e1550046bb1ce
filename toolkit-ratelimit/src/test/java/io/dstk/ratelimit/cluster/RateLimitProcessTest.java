package io.dstk.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.TestCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real processes ({@link RateLimitProcessMember}): {@code kill -9} of the member that owns a limiter's key while
 * all three admit on it, and of the member running a budget's kill switch. Verify runs each trial once; the chaos
 * profile repeats them.
 */
class RateLimitProcessTest {
    private static final Duration AWAIT = Duration.ofSeconds(60);
    private static final List<String> NAMES = List.of("p1", "p2", "p3");

    private final List<Node> nodes = new ArrayList<>();
    private String clusterName;
    private int basePort;

    /** One child JVM: its output, the last view and the number of admissions it printed. */
    private static final class Node {
        final String name;
        final Process process;
        final Thread reader;
        final List<String> output = new CopyOnWriteArrayList<>();
        final AtomicReference<Set<String>> view = new AtomicReference<>(Set.of());
        final AtomicLong admitted = new AtomicLong();
        final AtomicReference<String> owner = new AtomicReference<>("");

        Node(String name, Process process) {
            this.name = name;
            this.process = process;
            this.reader = new Thread(this::read, "reader-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.startsWith("VIEW ")) {
                        view.set(Set.of(line.substring(5).split(",")));
                    } else if (line.startsWith("A ")) {
                        admitted.set(Long.parseLong(line.substring(2)));
                    } else if (line.startsWith("OWNER ")) {
                        owner.set(line.substring(6));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        boolean printed(String prefix) {
            return output.stream().anyMatch(l -> l.startsWith(prefix));
        }

        List<String> lines(String prefix) {
            return output.stream().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
        }

        void send(String command) {
            try {
                OutputStream in = process.getOutputStream();
                in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write to " + name, e);
            }
        }

        /** Kills the process with SIGKILL and waits until everything it printed has been read. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(30_000);
        }
    }

    @BeforeEach
    void setUp() {
        clusterName = "dstk-rl-proc-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        basePort = TestCluster.freePortRange(20);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Node n : nodes) {
            n.process.destroyForcibly();
        }
        for (Node n : nodes) {
            n.process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private List<Node> launchThree(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Node> three = new ArrayList<>();
        for (String name : NAMES) {
            List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp", System.getProperty("java.class.path"),
                    RateLimitProcessMember.class.getName(), args[0], clusterName, Integer.toString(basePort), name));
            command.addAll(List.of(args).subList(1, args.length));
            Node n = new Node(name, new ProcessBuilder(command).redirectErrorStream(true).start());
            nodes.add(n);
            three.add(n);
        }
        return three;
    }

    private static void awaitView(List<Node> who, Set<String> expected) {
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> who.stream().allMatch(n -> n.view.get().equals(expected)));
    }

    private static void awaitReady(List<Node> who) {
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> who.stream().allMatch(n -> n.printed("READY")));
    }

    private static long total(List<Node> who) {
        return who.stream().mapToLong(n -> n.admitted.get()).sum();
    }

    @Test
    void leasedTokens_ownerKilledMinus9_totalStaysWithinTheBoundAndSurvivorsKeepAdmitting() throws Exception {
        ownerKilledTrial();
    }

    @Tag("chaos")
    @RepeatedTest(5)
    void leasedTokens_ownerKilledMinus9_repeated() throws Exception {
        ownerKilledTrial();
    }

    @Test
    void budget_trippingMemberKilledMinus9_killSwitchRunsOnASurvivorWithTheSameKey() throws Exception {
        budgetTrial();
    }

    @Tag("chaos")
    @RepeatedTest(3)
    void budget_trippingMemberKilledMinus9_repeated() throws Exception {
        budgetTrial();
    }

    /*
     * Three JVMs admit on one key owned by p3 (about 1000 calls per second each against a cluster limit of
     * 100/s). After 1.5 s p3 gets SIGKILL. Over the whole run, from the moment the test says GO to the last
     * reading, the admissions printed by all three must stay within overAdmissionBound(3, T) = capacity + rate * T
     * + 3 * maxBatch; the two survivors must keep admitting from the new owner once they see the new view.
     */
    private void ownerKilledTrial() throws Exception {
        List<Node> three = launchThree("limiter");
        awaitView(three, Set.copyOf(NAMES));
        awaitReady(three);
        String key = LimiterSim.keyOwned(NAMES, "p3", List.of("p1", "p2"), "p1");
        Node victim = three.get(2);
        List<Node> survivors = three.subList(0, 2);

        long start = System.nanoTime();
        three.forEach(n -> n.send("GO " + key));
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> three.stream().allMatch(n -> n.owner.get().equals("p3")));
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(20)).until(() -> total(three) >= 150
                && three.stream().allMatch(n -> n.admitted.get() > 0));

        long killedAt = System.nanoTime();
        victim.kill();
        long victimAdmitted = victim.admitted.get();
        awaitView(survivors, Set.of("p1", "p2"));
        long viewAt = System.nanoTime();
        long[] atView = survivors.stream().mapToLong(n -> n.admitted.get()).toArray();
        // The survivors keep admitting from the new owner (p1). Only their sum is asserted: under saturation the
        // owner's own calls can starve a remote member for tens of seconds (a known fairness gap of the leased
        // strategy, see docs/ratelimit.md), which is not what this trial is about.
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> survivors.get(0).admitted.get() + survivors.get(1).admitted.get()
                        >= atView[0] + atView[1] + 40);
        long resumedAt = System.nanoTime();
        // each survivor prints the new owner from its ring listener, which may run after its first admissions
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(survivors).allSatisfy(n -> assertThat(n.owner.get()).isEqualTo("p1")));

        long admitted = victimAdmitted + total(survivors);
        Duration window = Duration.ofNanos(System.nanoTime() - start);
        long rate = RateLimitProcessMember.LIMIT;
        long maxBatch = Math.max(1, rate / 10);
        long bound = rate + (long) Math.ceil(rate * (window.toNanos() / 1e9)) + 3 * maxBatch;
        System.out.printf("leased tokens, owner kill -9: admitted %d over %d ms (bound %d; %d by the victim); "
                + "new view after %d ms, survivors +40 together %d ms after the view (p1 +%d, p2 +%d)%n",
                admitted, window.toMillis(), bound, victimAdmitted, (viewAt - killedAt) / 1_000_000, (resumedAt - viewAt) / 1_000_000,
                survivors.get(0).admitted.get() - atView[0], survivors.get(1).admitted.get() - atView[1]);
        assertThat(admitted).isLessThanOrEqualTo(bound);
        assertThat(survivors).allSatisfy(n -> assertThat(n.process.isAlive()).isTrue());
    }

    /*
     * Three JVMs are the store's voters and share a budget of 20 units, each asking for 1 unit every 50 ms. The
     * member that runs the kill switch prints TRIP and blocks in it; the test kills it with SIGKILL right then, so
     * the completion is never recorded. A survivor must run the action again after the 1 s action lease expires,
     * with the same idempotency key (same budget, same epoch), every member must be denied from then on, and the
     * units granted must not exceed the budget.
     */
    private void budgetTrial() throws Exception {
        int raftBase = TestCluster.freePortRange(10);
        List<Node> three = launchThree("budget", Integer.toString(raftBase), String.join(",", NAMES));
        awaitView(three, Set.copyOf(NAMES));
        awaitReady(three);
        three.forEach(n -> n.send("GO"));

        Node victim = await().atMost(AWAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> three.stream().filter(n -> n.printed("TRIP ")).findFirst().orElse(null),
                        n -> n != null);
        victim.kill();
        List<Node> survivors = three.stream().filter(n -> n != victim).collect(Collectors.toList());
        survivors.forEach(n -> n.send("RELEASE"));
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> survivors.stream().allMatch(n -> n.printed("NOTIFIED ")));
        // denied everywhere after the trip: a few more calls on each survivor
        int[] denials = survivors.stream().mapToInt(n -> n.lines("DENY").size()).toArray();
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> survivors.get(0).lines("DENY").size() >= denials[0] + 3
                        && survivors.get(1).lines("DENY").size() >= denials[1] + 3);

        List<String> trips = new ArrayList<>();
        three.forEach(n -> n.lines("TRIP ").forEach(l -> trips.add(l.split(" ")[1])));
        long survivorTrips = survivors.stream().mapToLong(n -> n.lines("TRIP ").size()).sum();
        long granted = three.stream().mapToLong(n -> n.lines("GRANT").size()).sum();
        long grantedAfterNotified = survivors.stream().mapToLong(n -> {
            List<String> out = List.copyOf(n.output);
            int from = out.indexOf(n.lines("NOTIFIED ").get(0));
            return out.subList(from, out.size()).stream().filter(l -> l.equals("GRANT")).count();
        }).sum();
        System.out.printf("budget, kill -9 of %s in its kill switch: action ran %d time(s) %s, on survivors %d; "
                + "granted %d of %d%n", victim.name, trips.size(), trips, survivorTrips, granted,
                RateLimitProcessMember.BUDGET);
        assertThat(survivorTrips).isPositive();
        assertThat(trips).containsOnly("proc-budget/0/trip");
        assertThat(survivors).allSatisfy(n -> assertThat(n.lines("NOTIFIED ")).containsExactly("NOTIFIED 0"));
        assertThat(granted).isLessThanOrEqualTo(RateLimitProcessMember.BUDGET);
        assertThat(grantedAfterNotified).isZero();
    }
}
