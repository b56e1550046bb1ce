package io.dstk.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.Cluster;
import io.dstk.membership.ClusterConfig;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three voters in their own JVMs, this JVM a non-voting member using the store through them: {@code kill -9} of the
 * leader's process, then operations resume.
 */
class StoreProcessTest {

  /** One voter JVM and the last leader it printed. */
  private static final class Voter {
    final Process process;
    final AtomicReference<String> leader = new AtomicReference<>("-");

    Voter(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            if (line.startsWith("LEADER ")) {
              leader.set(line.substring(7));
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

  static long killLeaderAndMeasureResume() throws Exception {
    String clusterName = "dstk-store-proc-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    int base = TestCluster.freePortRange(20);
    int raftBase = TestCluster.freePortRange(10);
    String voters = "v1,v2,v3";
    Map<String, Voter> procs = new LinkedHashMap<>();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Cluster client = null;
    ClusterStore store = null;
    try {
      for (String v : voters.split(",")) {
        Process p = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Djava.net.preferIPv4Stack=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
            "-cp", System.getProperty("java.class.path"), StoreProcessVoter.class.getName(), clusterName,
            Integer.toString(base), Integer.toString(raftBase), v, voters)
            .redirectErrorStream(true).start();
        procs.put(v, new Voter(p));
      }
      client = Cluster.join(ClusterConfig.localhost(clusterName).ports(base, 20).nodeName("client").build());
      store = ClusterStore.open(client, StoreProcessVoter.config(voters, raftBase));
      ClusterStore s = store;
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> s.counter("c").addAndGet(1) > 0);
      long before = s.counter("c").addAndGet(1);
      String leader = await().atMost(Duration.ofSeconds(10)).until(
          () -> procs.get("v1").leader.get(), l -> procs.containsKey(l));

      long t0 = System.nanoTime();
      procs.get(leader).process.destroyForcibly(); // SIGKILL
      List<String> failures = new ArrayList<>();
      long after = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
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
      if (!failures.isEmpty()) {
        System.out.println("attempts failed during fail-over: " + failures.size() + ", first: " + failures.get(0)
            + ", last: " + failures.get(failures.size() - 1));
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(after).isGreaterThan(before);
      String survivor = procs.keySet().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
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
      for (Voter v : procs.values()) {
        v.process.destroyForcibly();
      }
      for (Voter v : procs.values()) {
        v.process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void killMinus9OfTheLeaderVoter_operationsResumeWithinFailureDetectionPlusElectionPlusOneSecond()
      throws Exception {
    long ms = killLeaderAndMeasureResume();
    System.out.println("store fail-over after kill -9 of the leader process: " + ms + " ms");
    // Localhost preset: closed socket + VERIFY_SUSPECT2 (~0.5-1 s) + one voting round (0.6 s) + 1 s, with slack
    // for a loaded 2-core machine.
    assertThat(ms).isLessThan(6_000);
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
      System.out.println("store fail-over ms after kill -9 (sorted): " + sorted + ", median "
          + sorted.get(sorted.size() / 2));
    }
    assertThat(ms).isLessThan(6_000);
  }
}
