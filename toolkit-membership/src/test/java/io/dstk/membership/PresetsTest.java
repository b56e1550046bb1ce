package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The staticSeeds and fromJGroupsXml presets form real clusters on loopback. */
class PresetsTest {
  private final List<Cluster> members = new ArrayList<>();

  @AfterEach
  void tearDown() {
    members.forEach(Cluster::close);
  }

  private void awaitAll(Set<String> names) {
    await().atMost(Duration.ofSeconds(60)).until(() -> members.stream().allMatch(c ->
        c.members().stream().map(Member::name).collect(Collectors.toSet()).equals(names)));
  }

  private static String clusterName() {
    return "dstk-preset-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  }

  @Test
  void staticSeedsFormACluster() {
    int base = TestCluster.freePortRange(3);
    String cluster = clusterName();
    for (String name : List.of("s1", "s2", "s3")) {
      members.add(Cluster.join(ClusterConfig.staticSeeds("127.0.0.1:" + base, "127.0.0.1:" + (base + 1))
          .clusterName(cluster)
          .bindAddress("127.0.0.1")
          .ports(base, 3)
          .discoveryTimeout(Duration.ofMillis(500))
          .nodeName(name)
          .build()));
    }
    awaitAll(Set.of("s1", "s2", "s3"));
    assertThat(members.get(2).coordinator().name()).isEqualTo("s1");
  }

  @Test
  void lanMulticastFormsAClusterOnLoopback() {
    int port = TestCluster.freePortRange(1);
    String group = "239.9." + (1 + (int) (ProcessHandle.current().pid() % 250)) + "." + (1 + (port % 250));
    String cluster = clusterName();
    for (String name : List.of("u1", "u2")) {
      members.add(Cluster.join(ClusterConfig.lan(group)
          .clusterName(cluster)
          .bindAddress("127.0.0.1")
          .ports(port, 1)
          .discoveryTimeout(Duration.ofMillis(500))
          .nodeName(name)
          .build()));
    }
    awaitAll(Set.of("u1", "u2"));
  }

  @Test
  void ownJGroupsXmlFormsAClusterWithOurNamingAndEvents(@TempDir Path dir) throws Exception {
    int base = TestCluster.freePortRange(10);
    String cluster = clusterName();
    ClusterConfig reference = ClusterConfig.localhost(cluster).ports(base, 10).build();
    Path xml = Files.writeString(dir.resolve("stack.xml"), JGroupsStack.xml(reference));
    for (String name : List.of("x1", "x2")) {
      members.add(Cluster.join(ClusterConfig.fromJGroupsXml(xml).clusterName(cluster).nodeName(name)
          .metadata("origin", "xml").build()));
    }
    awaitAll(Set.of("x1", "x2"));
    assertThat(members.get(0).view().member("x2").orElseThrow().metadata()).containsEntry("origin", "xml");
  }
}
