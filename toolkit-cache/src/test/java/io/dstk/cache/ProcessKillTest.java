package io.dstk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.TestCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Three cache members in three JVMs; one is killed with SIGKILL while another writes. */
class ProcessKillTest {
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private final List<Node> nodes = new CopyOnWriteArrayList<>();
  private String cluster;
  private int basePort;

  private static final class Node {
    final String name;
    final Process process;
    final Writer stdin;
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Set<String> acked = ConcurrentHashMap.newKeySet();

    Node(String name, Process process) {
      this.name = name;
      this.process = process;
      this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread t = new Thread(this::read, "read-" + name);
      t.setDaemon(true);
      t.start();
    }

    private void read() {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("ACK ")) {
            acked.add(line.substring(4));
          } else {
            lines.add(line);
          }
        }
      } catch (IOException e) {
        // process ended
      }
    }

    void command(String c) throws IOException {
      stdin.write(c + "\n");
      stdin.flush();
    }

    Map<String, String> dump() throws IOException {
      lines.removeIf(l -> l.startsWith("E ") || l.equals("END"));
      command("DUMP");
      await().atMost(AWAIT).until(() -> lines.contains("END"));
      Map<String, String> m = new HashMap<>();
      for (String l : lines) {
        if (l.startsWith("E ")) {
          String[] p = l.split(" ");
          m.put(p[1], p[2]);
        }
      }
      return m;
    }
  }

  @BeforeEach
  void setUp() {
    cluster = "dstk-cache-proc-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
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

  private Node launch(String name) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx192m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Djava.net.preferIPv4Stack=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), CacheProcessMember.class.getName(), cluster,
        Integer.toString(basePort), name)
        .redirectErrorStream(true)
        .start();
    Node n = new Node(name, p);
    nodes.add(n);
    return n;
  }

  private static void awaitReady(Node n) {
    await().atMost(AWAIT).until(() -> n.lines.contains("READY"));
    assertThat(n.lines).as("%s became ready", n.name).doesNotContain("NOT-READY");
  }

  private void trial(int victimIndex) throws Exception {
    List<Node> three = new ArrayList<>();
    for (String n : List.of("p1", "p2", "p3")) {
      three.add(launch(n)); // a member becomes ready once a majority of the 3 expected members is in its view
    }
    three.forEach(ProcessKillTest::awaitReady);
    Node writer = three.get(1);
    Node victim = three.get(victimIndex);
    Node other = three.get(victimIndex == 0 ? 2 : 0);
    writer.command("WRITE w");
    await().atMost(AWAIT).until(() -> writer.acked.size() >= 200);
    victim.process.destroyForcibly(); // SIGKILL
    assertThat(victim.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    int atKill = writer.acked.size();
    await().atMost(AWAIT).until(() -> writer.acked.size() >= atKill + 200);
    writer.command("STOP");
    await().atMost(AWAIT).until(() -> writer.lines.contains("STOPPED"));

    Map<String, String> onWriter = writer.dump();
    Map<String, String> onOther = other.dump();
    Map<String, Long> failures = writer.lines.stream().filter(l -> l.startsWith("FAIL "))
        .collect(Collectors.groupingBy(l -> l.substring(l.lastIndexOf(' ') + 1), Collectors.counting()));
    List<String> missingOnWriter = writer.acked.stream().filter(k -> !onWriter.containsKey(k)).sorted().toList();
    List<String> missingOnOther = writer.acked.stream().filter(k -> !onOther.containsKey(k)).sorted().toList();
    assertThat(missingOnWriter).as("acknowledged writes missing on the writer (%d acked, failures %s)",
        writer.acked.size(), failures).isEmpty();
    assertThat(missingOnOther).as("acknowledged writes missing on the other survivor (%d acked, failures %s)%n"
        + "writer log: %s%nother log: %s", writer.acked.size(), failures, warnings(writer), warnings(other))
        .isEmpty();
    for (String key : writer.acked) {
      assertThat(onOther).containsEntry(key, "v" + key.substring(1));
    }
    assertThat(onOther).isEqualTo(onWriter);

    Node restarted = launch(victim.name);
    awaitReady(restarted);
    assertThat(restarted.dump()).isEqualTo(onWriter);
  }

  private static List<String> warnings(Node n) {
    List<String> w = n.lines.stream().filter(l -> l.contains("WARN") || l.contains("ERROR")).toList();
    return w.subList(Math.max(0, w.size() - 30), w.size());
  }

  @Test
  void killNineOfAReplicaLosesNoAcknowledgedWriteAndTheRestartedMemberCatchesUp() throws Exception {
    trial(2);
  }

  @Test
  void killNineOfTheCoordinatorLosesNoAcknowledgedWriteAndTheRestartedMemberCatchesUp() throws Exception {
    trial(0);
  }

  @Tag("chaos")
  @RepeatedTest(10)
  void killNineOfAReplicaRepeated() throws Exception {
    trial(2);
  }

  @Tag("chaos")
  @RepeatedTest(10)
  void killNineOfTheCoordinatorRepeated() throws Exception {
    trial(0);
  }
}
