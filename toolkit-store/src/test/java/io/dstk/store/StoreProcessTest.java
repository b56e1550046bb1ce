package io.dstk.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
import io.dstk.membership.Registration;
import io.dstk.membership.TestCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three voters in their own JVMs, this JVM a non-voting member using the store through them: {@code kill -9} of the
 * leader's process, then operations resume; and a lease holder in a fourth JVM paused with {@code kill -STOP}.
 */
class StoreProcessTest {

  /** One JVM, the lines it printed and the last leader it printed. */
  private static final class Voter {
    final Process process;
    final AtomicReference<String> leader = new AtomicReference<>("-");
    final AtomicReference<String> raftView = new AtomicReference<>("-");
    final List<String> lines = new CopyOnWriteArrayList<>();

    Voter(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.add(line);
            if (line.startsWith("LEADER ")) {
              leader.set(line.substring(7));
            } else if (line.startsWith("AT ") && line.contains(" raft view ")) {
              raftView.set(line.substring(line.indexOf(" raft view ") + 11));
            }
          }
        } catch (IOException e) {
          // process ended
        }
      }, "reader-" + process.pid());
      reader.setDaemon(true);
      reader.start();
    }
  }

  static Process startJvm(Class<?> main, String clusterName, int base, int raftBase, String node, String voters)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Djava.net.preferIPv4Stack=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error"));
    // -Ddstk.store.traceJGroups=true: the voters log jgroups-raft's election and the failure detection (debug);
    // =trace: also every raft message (AppendEntries and their answers)
    String trace = System.getProperty("dstk.store.traceJGroups", "false");
    if (!trace.equals("false")) {
      for (String log : List.of("org.jgroups.protocols.raft", "io.dstk.membership.internal.PromptVerifySuspect",
          "org.jgroups.protocols.FD_SOCK2", "org.jgroups.protocols.pbcast.GMS")) {
        cmd.add("-Dorg.slf4j.simpleLogger.log." + log + "=debug");
      }
      if (trace.equals("trace")) {
        cmd.add("-Dorg.slf4j.simpleLogger.log.org.jgroups.protocols.raft.RAFT=trace");
        cmd.add("-Dorg.slf4j.simpleLogger.log.io.dstk.store.internal.ObservedRaft=trace");
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName(), clusterName,
        Integer.toString(base), Integer.toString(raftBase), node, voters));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  static void signal(Process p, String sig) throws Exception {
    Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).redirectErrorStream(true).start();
    assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(k.exitValue()).as("kill -%s %s", sig, p.pid()).isZero();
  }

  static void stopAll(Map<String, Voter> procs) throws InterruptedException {
    for (Voter v : procs.values()) {
      v.process.destroyForcibly();
    }
    for (Voter v : procs.values()) {
      v.process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static long killLeaderAndMeasureResume() throws Exception {
    String clusterName = "dstk-store-proc-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    int base = TestCluster.freePortRange(20);
    int raftBase = TestCluster.freePortRange(10);
    String voters = "v1,v2,v3";
    Map<String, Voter> procs = new LinkedHashMap<>();
    Cluster client = null;
    ClusterStore store = null;
    try {
      for (String v : voters.split(",")) {
        procs.put(v, new Voter(startJvm(StoreProcessVoter.class, clusterName, base, raftBase, v, voters)));
      }
      client = Cluster.join(ClusterConfig.localhost(clusterName).ports(base, 20).nodeName("client").build());
      store = ClusterStore.open(client, StoreProcessVoter.config(voters, raftBase));
      ClusterStore s = store;
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> s.counter("c").addAndGet(1) > 0);
      // Voter JVMs started together can form separate views that MERGE3 joins seconds later: measure the fail-over
      // from a settled cluster, where this member sees all three voters.
      Cluster c = client;
      await().atMost(Duration.ofSeconds(60)).until(() -> procs.keySet().stream().allMatch(v -> c.view().contains(v)));
      // ... and where every voter's raft channel has joined the others (a voter can still be joining the raft group
      // when the cluster view already shows it).
      int voterCount = procs.size();
      await().atMost(Duration.ofSeconds(60)).until(() -> procs.values().stream()
          .allMatch(v -> v.raftView.get().contains(" (" + voterCount + ") ")));
      long before = s.counter("c").addAndGet(1);
      String leader = await().atMost(Duration.ofSeconds(60)).until(
          () -> procs.get("v1").leader.get(), l -> procs.containsKey(l));

      // The trial's timeline: this member's routing steps and views, and what the voters print, from the kill on.
      List<String> timeline = new CopyOnWriteArrayList<>();
      Map<String, Integer> marks = new LinkedHashMap<>();
      procs.forEach((n, v) -> marks.put(n, v.lines.size()));
      long kill = System.currentTimeMillis();
      ((DefaultClusterStore) s).trace(line -> timeline.add((System.currentTimeMillis() - kill) + " client "
          + Thread.currentThread().getName() + ": " + line));
      Registration views = c.addListener(e -> timeline.add((System.currentTimeMillis() - kill) + " client " + e));
      long t0 = System.nanoTime();
      procs.get(leader).process.destroyForcibly(); // SIGKILL
      List<String> failures = new CopyOnWriteArrayList<>();
      long after;
      try {
        after = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
            .until(() -> {
              long a0 = System.nanoTime();
              try {
                return s.counter("c").addAndGet(1);
              } catch (RuntimeException e) {
                failures.add(e.getClass().getSimpleName() + "@" + (a0 - t0) / 1_000_000 + "+"
                    + (System.nanoTime() - a0) / 1_000_000 + "ms: " + e.getMessage());
                return before;
              }
            }, v -> v > before);
      } catch (ConditionTimeoutException e) {
        Map<String, List<String>> output = new LinkedHashMap<>();
        procs.forEach((n, v) -> output.put(n, List.copyOf(v.lines)));
        throw new AssertionError("no write succeeded within 30 s of killing " + leader + "; " + failures.size()
            + " failed attempts, first " + (failures.isEmpty() ? "-" : failures.get(0)) + ", last "
            + (failures.isEmpty() ? "-" : failures.get(failures.size() - 1)) + "; voters' output " + output, e);
      }
      if (!failures.isEmpty()) {
        System.out.println("attempts failed during fail-over: " + failures.size() + ", first: " + failures.get(0)
            + ", last: " + failures.get(failures.size() - 1));
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      timeline.add(ms + " client write succeeded");
      ((DefaultClusterStore) s).trace(null);
      views.close();
      printTimeline(leader, kill, timeline, procs, marks);
      assertThat(after).isGreaterThan(before);
      String survivor = procs.keySet().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        String l = procs.get(survivor).leader.get();
        return procs.containsKey(l) && !l.equals(leader);
      });
      return ms;
    } finally {
      if (store != null) {
        store.close();
      }
      if (client != null) {
        client.close();
      }
      stopAll(procs);
    }
  }

  /*
   * Prints the trial's events in time order, in milliseconds since the kill: this member's, and the voters' lines
   * "AT <epoch millis> ..." and their log lines (HH:mm:ss.SSS) printed in the second after the kill.
   */
  private static void printTimeline(String killed, long kill, List<String> client, Map<String, Voter> procs,
      Map<String, Integer> marks) {
    java.util.TreeMap<Long, List<String>> events = new java.util.TreeMap<>();
    for (String line : client) {
      int sp = line.indexOf(' ');
      events.computeIfAbsent(Long.parseLong(line.substring(0, sp)), k -> new ArrayList<>()).add(line.substring(sp + 1));
    }
    java.time.LocalDate day = java.time.Instant.ofEpochMilli(kill).atZone(java.time.ZoneId.systemDefault())
        .toLocalDate();
    procs.forEach((name, v) -> {
      List<String> lines = List.copyOf(v.lines);
      for (String line : lines.subList(Math.min(marks.get(name), lines.size()), lines.size())) {
        long at;
        String text;
        if (line.startsWith("AT ")) {
          int sp = line.indexOf(' ', 3);
          at = Long.parseLong(line.substring(3, sp));
          text = line.substring(sp + 1);
        } else if (line.length() > 12 && line.charAt(2) == ':' && line.charAt(8) == '.') {
          at = java.time.LocalTime.parse(line.substring(0, 12)).atDate(day).atZone(java.time.ZoneId.systemDefault())
              .toInstant().toEpochMilli();
          text = line.substring(13);
        } else {
          continue;
        }
        events.computeIfAbsent(at - kill, k -> new ArrayList<>()).add(name + ": " + text);
      }
    });
    StringBuilder b = new StringBuilder("timeline of the fail-over (ms since kill -9 of " + killed + "):\n");
    events.forEach((t, l) -> l.forEach(e -> b.append(String.format("  %6d %s%n", t, e))));
    System.out.print(b);
  }

  /**
   * Runs the paused-holder scenario and returns the holder's output after it was stopped, with the epoch it held. The
   * holder (its own JVM) holds {@code job} and writes to the fenced resource; it is stopped with {@code kill -STOP};
   * this JVM takes the lease over once it expired, with a higher epoch, and writes the resource; then
   * {@code kill -CONT}.
   */
  static PausedHolder pausedHolderTrial() throws Exception {
    String clusterName = "dstk-store-stop-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    int base = TestCluster.freePortRange(20);
    int raftBase = TestCluster.freePortRange(10);
    String voters = "v1,v2,v3";
    Map<String, Voter> procs = new LinkedHashMap<>();
    Cluster client = null;
    ClusterStore store = null;
    Voter holder = null;
    try {
      for (String v : voters.split(",")) {
        procs.put(v, new Voter(startJvm(StoreProcessVoter.class, clusterName, base, raftBase, v, voters)));
      }
      holder = new Voter(startJvm(StoreProcessHolder.class, clusterName, base, raftBase, "holder", voters));
      procs.put("holder", holder);
      client = Cluster.join(ClusterConfig.localhost(clusterName).ports(base, 20).nodeName("client").build());
      store = ClusterStore.open(client, StoreProcessVoter.config(voters, raftBase));
      ClusterStore s = store;
      Voter h = holder;
      // The holder holds the lease and acts on it: its latest line is a successful fenced write.
      String act = await().atMost(Duration.ofSeconds(90)).until(() -> {
        List<String> lines = List.copyOf(h.lines);
        String lastLine = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        return lastLine.startsWith("ACT ") && lastLine.endsWith(" ok") ? lastLine : null;
      }, l -> l != null);
      long epoch = Long.parseLong(act.split(" ")[1]);

      signal(holder.process, "STOP");
      // The lease expires by the leader's clock; this member takes it over with a higher epoch.
      Lease taken = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .ignoreExceptions().until(() -> s.tryAcquire(StoreProcessHolder.LEASE, Duration.ofSeconds(30))
              .orElse(null), l -> l != null);
      assertThat(taken.epoch()).isGreaterThan(epoch);
      assertThat(StoreProcessHolder.fencedWrite(s, taken.epoch())).isTrue();
      long resourceVersion = s.get(StoreProcessHolder.RESOURCE).orElseThrow().version();
      // Everything the holder printed before it stopped has been read by now (the takeover took a TTL).
      int mark = holder.lines.size();
      signal(holder.process, "CONT");

      await().atMost(Duration.ofSeconds(30)).until(() -> holder(h, mark).stream()
          .anyMatch(l -> l.startsWith("RENEW ") && l.endsWith(" refused")));
      List<String> after = holder(h, mark);
      // The takeover is intact: the stale holder wrote nothing after it.
      assertThat(s.get(StoreProcessHolder.RESOURCE).orElseThrow().version()).isEqualTo(resourceVersion);
      assertThat(s.leaseInfo(StoreProcessHolder.LEASE)).hasValueSatisfying(i ->
          assertThat(i.epoch()).isEqualTo(taken.epoch()));
      taken.release();
      return new PausedHolder(epoch, after);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("holder output: " + (holder == null ? "-" : holder.lines), e);
    } finally {
      if (store != null) {
        store.close();
      }
      if (client != null) {
        client.close();
      }
      stopAll(procs);
    }
  }

  /** The epoch the holder held when it was stopped, and what it printed after. */
  record PausedHolder(long epoch, List<String> afterStop) {}

  private static List<String> holder(Voter h, int from) {
    List<String> lines = List.copyOf(h.lines);
    return lines.subList(Math.min(from, lines.size()), lines.size());
  }

  static void checkPausedHolder(PausedHolder p) {
    List<String> after = p.afterStop();
    // The holder finds its lease lost (by its clock, and notified) before it acts: no successful action after the
    // pause, and its fenced write and renewal are refused.
    assertThat(after).as("holder output after the pause").noneMatch(l -> l.startsWith("ACT ") && l.endsWith(" ok"));
    assertThat(after).as("holder output after the pause").contains("LOST " + p.epoch() + " valid=false notified=true",
        "FENCED " + p.epoch() + " refused", "RENEW " + p.epoch() + " refused");
    // Found lost before acting: if an action comes first, it is one the pause interrupted, and it was refused.
    int lost = after.indexOf("LOST " + p.epoch() + " valid=false notified=true");
    assertThat(after.subList(0, lost)).allMatch(l -> l.equals("ACT " + p.epoch() + " refused")
        || l.startsWith("RESUMED ") || l.startsWith("ERROR "));
  }

  @Test
  void holderPausedWithKillStop_findsItsLeaseLostOnWakeUp_andItsFencedWriteIsRefused() throws Exception {
    PausedHolder p = pausedHolderTrial();
    System.out.println("paused holder (epoch " + p.epoch() + ") after kill -CONT: " + p.afterStop());
    checkPausedHolder(p);
  }

  @Tag("chaos")
  @RepeatedTest(5)
  void repeatedKillStopOfTheHolder() throws Exception {
    checkPausedHolder(pausedHolderTrial());
  }

  @Test
  void killMinus9OfTheLeaderVoter_operationsResumeWithinFailureDetectionPlusElectionPlusOneSecond()
      throws Exception {
    long ms = killLeaderAndMeasureResume();
    System.out.println("store fail-over after kill -9 of the leader process: " + ms + " ms");
    // Typically crash detection (closed socket + 0.5 s verification) and one election; the target is reported by the
    // chaos trials, this is a ceiling for a loaded 2-core machine.
    assertThat(ms).isLessThan(10_000);
  }

  private static final List<Long> TRIALS = new ArrayList<>();

  @Tag("chaos")
  @RepeatedTest(10)
  void repeatedKillMinus9OfTheLeader() throws Exception {
    long ms = killLeaderAndMeasureResume();
    synchronized (TRIALS) {
      TRIALS.add(ms);
      List<Long> sorted = new ArrayList<>(TRIALS);
      sorted.sort(null);
      int n = sorted.size();
      long median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      System.out.println("store fail-over trial " + n + " (kill -9 of the leader JVM): " + ms + " ms; so far "
          + sorted + ", median " + median + ", max " + sorted.get(n - 1) + ", target (election timeout + 1 s) "
          + FaultTest.TARGET_MILLIS);
    }
    // A generous ceiling for a loaded machine; the figures against the target are reported, not asserted.
    assertThat(ms).isLessThan(10_000);
  }
}
