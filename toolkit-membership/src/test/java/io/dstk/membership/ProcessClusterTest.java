package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Real processes: SIGKILL, SIGSTOP/SIGCONT and a simultaneous start of three JVMs. */
class ProcessClusterTest {
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final List<Long> KILL_MILLIS = Collections.synchronizedList(new ArrayList<>());
  private static final List<Long> PAUSE_MILLIS = Collections.synchronizedList(new ArrayList<>());
  private static final List<Long> START_MILLIS = Collections.synchronizedList(new ArrayList<>());
  private static final List<Long> FIVE_MILLIS = Collections.synchronizedList(new ArrayList<>());

  private final List<Node> nodes = new ArrayList<>();
  private String cluster;
  private int basePort;

  /**
   * One child JVM and the last view it printed. A JVM that exits because it found no free port in its range (another
   * process took them between {@link TestCluster#freePortRange} and the member's bind) is started once more, after
   * the ports in use are printed: the test is about views, not about this machine's port allocation.
   */
  private final class Node {
    final String name;
    final AtomicReference<Set<String>> view = new AtomicReference<>(Set.of());
    final List<String> output = new CopyOnWriteArrayList<>();
    private volatile Process process;
    private boolean relaunched;

    Node(String name) throws IOException {
      this.name = name;
      start();
    }

    Process process() {
      return process;
    }

    private void start() throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
          "-Djava.net.preferIPv4Stack=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
          "-cp", System.getProperty("java.class.path"), ProcessMember.class.getName(), cluster,
          Integer.toString(basePort), name)
          .redirectErrorStream(true)
          .start();
      process = p;
      Thread reader = new Thread(() -> read(p), "reader-" + name);
      reader.setDaemon(true);
      reader.start();
    }

    private void read(Process p) {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.add(line);
          if (line.startsWith("VIEW ")) {
            String[] parts = line.split(" ");
            view.set(parts.length < 3 ? Set.of() : Set.of(parts[2].split(",")));
          }
        }
      } catch (IOException e) {
        // process ended
      }
    }

    /** Starts the JVM again if it exited for want of a free port, once; returns whether it did. */
    synchronized boolean relaunchIfPortsWereTaken() throws IOException {
      Process p = process;
      if (relaunched || p.isAlive() || output.stream().noneMatch(l -> l.contains("No available port to bind to"))) {
        return false;
      }
      relaunched = true;
      System.out.println(name + " exited for want of a free port in " + basePort + ".." + (basePort + 19)
          + " (and +100 for FD_SOCK2); sockets on those ports:\n" + socketsOnPorts() + "\nits output:\n  "
          + String.join("\n  ", output));
      output.clear();
      start();
      return true;
    }
  }

  /** What {@code ss} lists on the test's port ranges, for the log of a bind failure. */
  private String socketsOnPorts() {
    try {
      Process ss = new ProcessBuilder("ss", "-tanp").redirectErrorStream(true).start();
      List<String> lines = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(ss.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          for (int p = basePort; p < basePort + 20; p++) {
            if (line.contains(":" + p + " ") || line.contains(":" + (p + 100) + " ")) {
              lines.add(line);
              break;
            }
          }
        }
      }
      ss.waitFor(10, TimeUnit.SECONDS);
      return lines.isEmpty() ? "(none)" : String.join("\n", lines);
    } catch (IOException e) {
      return "(ss not available: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  @BeforeEach
  void setUp(TestInfo info) {
    cluster = "dstk-proc-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    basePort = TestCluster.freePortRange(20);
  }

  @AfterEach
  void tearDown() {
    for (Node n : nodes) {
      n.process().destroyForcibly();
    }
    for (Node n : nodes) {
      try {
        n.process().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Node launch(String name) throws IOException {
    Node n = new Node(name);
    nodes.add(n);
    return n;
  }

  private void awaitView(List<Node> who, Set<String> expected) {
    try {
      await().atMost(AWAIT).pollInterval(Duration.ofMillis(10)).until(() -> {
        for (Node n : who) {
          n.relaunchIfPortsWereTaken();
        }
        return who.stream().allMatch(n -> n.view.get().equals(expected));
      });
    } catch (ConditionTimeoutException e) {
      for (Node n : who) {
        System.out.println(n.name + " (alive " + n.process().isAlive() + "): " + String.join("\n  ", n.output));
      }
      throw e;
    }
  }

  private static void signal(Process p, String sig) throws Exception {
    Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start();
    assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(k.exitValue()).isZero();
  }

  private List<Node> startThree() throws IOException {
    List<Node> three = new ArrayList<>();
    for (String n : List.of("p1", "p2", "p3")) {
      three.add(launch(n));
    }
    return three;
  }

  @Test
  void kill9OfOneOfThreeLeavesTwoSurvivorsAgreeing() throws Exception {
    killNine();
  }

  @Test
  void pausedMemberIsRemovedAndMergesBackWhenResumed() throws Exception {
    pauseAndResume();
  }

  @Test
  void threeJvmsStartedTogetherEndInOneView() throws Exception {
    startTogether();
  }

  @Tag("chaos")
  @RepeatedTest(10)
  void kill9Repeated() throws Exception {
    killNine();
    report("kill -9 -> survivors' new view", KILL_MILLIS);
  }

  @Tag("chaos")
  @RepeatedTest(5)
  void pauseRepeated() throws Exception {
    pauseAndResume();
    report("SIGSTOP -> removal", PAUSE_MILLIS);
  }

  @Tag("chaos")
  @RepeatedTest(10)
  void startTogetherRepeated() throws Exception {
    startTogether();
    report("3 JVMs started together -> one view", START_MILLIS);
  }

  @Tag("chaos")
  @RepeatedTest(3)
  void fiveJvmsStartedTogetherEndInOneView() throws Exception {
    long start = System.nanoTime();
    List<Node> five = new ArrayList<>();
    for (String n : List.of("p1", "p2", "p3", "p4", "p5")) {
      five.add(launch(n));
    }
    awaitView(five, Set.of("p1", "p2", "p3", "p4", "p5"));
    FIVE_MILLIS.add((System.nanoTime() - start) / 1_000_000);
    report("5 JVMs started together -> one view", FIVE_MILLIS);
    for (Node n : five) {
      System.out.println(n.name + ": " + n.output);
    }
  }

  private static void report(String what, List<Long> millis) {
    List<Long> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    System.out.println(what + ": n=" + sorted.size() + " median=" + sorted.get(sorted.size() / 2) + " ms, all="
        + sorted);
  }

  private void killNine() throws Exception {
    List<Node> three = startThree();
    awaitView(three, Set.of("p1", "p2", "p3"));
    long start = System.nanoTime();
    three.get(2).process().destroyForcibly();
    awaitView(three.subList(0, 2), Set.of("p1", "p2"));
    KILL_MILLIS.add((System.nanoTime() - start) / 1_000_000);
    assertThat(three.get(0).view.get()).isEqualTo(three.get(1).view.get());
  }

  private void pauseAndResume() throws Exception {
    List<Node> three = startThree();
    awaitView(three, Set.of("p1", "p2", "p3"));
    Node paused = three.get(2);
    long start = System.nanoTime();
    signal(paused.process(), "STOP");
    try {
      awaitView(three.subList(0, 2), Set.of("p1", "p2"));
      PAUSE_MILLIS.add((System.nanoTime() - start) / 1_000_000);
    } finally {
      signal(paused.process(), "CONT");
    }
    awaitView(three, Set.of("p1", "p2", "p3"));
  }

  private void startTogether() throws Exception {
    long start = System.nanoTime();
    List<Node> three = startThree();
    awaitView(three, Set.of("p1", "p2", "p3"));
    START_MILLIS.add((System.nanoTime() - start) / 1_000_000);
    assertThat(three).allSatisfy(n -> assertThat(n.process().isAlive()).isTrue());
  }
}
