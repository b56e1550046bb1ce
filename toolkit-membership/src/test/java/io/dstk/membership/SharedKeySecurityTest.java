package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jgroups.JChannel;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shared-key security (SYM_ENCRYPT + AUTH): over UDP multicast on loopback, members holding the key form a view and
 * talk; a member with another key is refused at join, cannot read what members send and cannot write framed dstk
 * messages that the same stack with the cluster's key does deliver.
 */
class SharedKeySecurityTest {
  private static final String PASSWORD = TestKeys.PASSWORD;
  private static ClusterSecurity clusterKey;
  private static ClusterSecurity otherKey;

  private final List<Cluster> members = new ArrayList<>();

  @BeforeAll
  static void keys() throws Exception {
    Path dir = TestKeys.shared();
    clusterKey = ClusterSecurity.sharedKey(dir.resolve("cluster.p12"), PASSWORD, "cluster");
    otherKey = ClusterSecurity.sharedKey(dir.resolve("other.p12"), PASSWORD, "cluster");
  }

  @AfterEach
  void tearDown() {
    members.forEach(Cluster::close);
  }

  /** A lan config on a multicast group and port of its own, so parallel builds do not meet. */
  private static ClusterConfig.Builder lan(String cluster, int port) {
    String group = "239.10." + (1 + (int) (ProcessHandle.current().pid() % 250)) + "." + (1 + (port % 250));
    return ClusterConfig.lan(group).clusterName(cluster).bindAddress("127.0.0.1").ports(port, 1)
        .discoveryTimeout(Duration.ofMillis(500));
  }

  private void awaitAll(Set<String> names) {
    await().atMost(Duration.ofSeconds(60)).until(() -> members.stream().allMatch(c ->
        c.members().stream().map(Member::name).collect(Collectors.toSet()).equals(names)));
  }

  private static String clusterName() {
    return "dstk-key-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  }

  @Test
  void stackPutsEncryptBelowNakackAndAuthBelowGms() throws Exception {
    ClusterConfig c = lan(clusterName(), 45000).security(clusterKey).build();
    try (JChannel ch = JGroupsStack.open(c)) {
      Protocol nakack = ch.getProtocolStack().findProtocol(NAKACK2.class);
      Protocol gms = ch.getProtocolStack().findProtocol(GMS.class);
      Protocol belowNakack = nakack.getDownProtocol();
      Protocol belowGms = gms.getDownProtocol();
      assertThat(belowNakack).isInstanceOf(SYM_ENCRYPT.class);
      assertThat(belowGms).isInstanceOf(AUTH.class);
    }
  }

  @Test
  void lanMembersWithTheSharedKeyFormAViewAndExchangeMessages() {
    int port = TestCluster.freePortRange(1);
    String cluster = clusterName();
    for (String name : List.of("u1", "u2")) {
      members.add(Cluster.join(lan(cluster, port).nodeName(name).security(clusterKey).build()));
    }
    awaitAll(Set.of("u1", "u2"));
    Topic<String> topic = Topic.of("greetings", PayloadCodec.utf8());
    List<String> received = new CopyOnWriteArrayList<>();
    members.get(1).subscribe(topic, (from, m) -> received.add(from.name() + ":" + m));
    Endpoint<String, String> echo = Endpoint.of("echo", PayloadCodec.utf8(), PayloadCodec.utf8());
    members.get(1).serve(echo, (from, q) -> "echo " + q);

    members.get(0).broadcast(topic, "hello");
    String answer = members.get(0).request(members.get(0).view().member("u2").orElseThrow(), echo, "ping")
        .orTimeout(30, TimeUnit.SECONDS).join();

    await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("u1:hello"));
    assertThat(answer).isEqualTo("echo ping");
  }

  @Test
  void lanMemberWithAnotherKeyIsRefusedAtJoinAndItsStackReadsAndWritesNothing() throws Exception {
    int port = TestCluster.freePortRange(1);
    String cluster = clusterName();
    for (String name : List.of("u1", "u2")) {
      members.add(Cluster.join(lan(cluster, port).nodeName(name).security(clusterKey).build()));
    }
    awaitAll(Set.of("u1", "u2"));
    long viewId = members.get(0).view().id();

    assertThatThrownBy(() -> Cluster.join(lan(cluster, port).nodeName("intruder").security(otherKey).build()))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("intruder").hasMessageContaining("shared key");
    assertThat(members.get(0).view().id()).isEqualTo(viewId);
    assertThat(members.get(1).members()).extracting(Member::name).containsExactly("u1", "u2");

    // the intruder's own JGroups stack with the dstk address format, without the join check that would make it
    // leave at once: framed messages to u2 alone and to the multicast group
    Cluster target = members.get(1);
    Topic<String> topic = Topic.of("secrets", PayloadCodec.utf8());
    List<String> received = new CopyOnWriteArrayList<>();
    target.subscribe(topic, (from, m) -> received.add(from.name() + ":" + m));
    byte[] forged = ForgingStack.frame(topic.name(), "forged");
    long droppedBefore = target.stats().messagesDropped();
    try (ForgingStack intruderStack = ForgingStack.connect(
        lan(cluster, port).nodeName("intruder").security(otherKey).build())) {
      intruderStack.sendTo(target, forged);
      intruderStack.broadcast(forged);
      for (int i = 0; i < 5; i++) {
        members.get(0).broadcast(topic, "secret-" + i);
      }

      await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 5);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30))
          .until(() -> received.size() == 5 && intruderStack.received().isEmpty());
      assertThat(received).containsExactlyInAnyOrder("u1:secret-0", "u1:secret-1", "u1:secret-2", "u1:secret-3",
          "u1:secret-4");
      assertThat(intruderStack.viewMembers()).containsExactly(intruderStack.address());
      assertThat(target.stats().messagesDropped()).as("never reached the dstk layer").isEqualTo(droppedBefore);
      assertThat(members.get(0).view().id()).isEqualTo(viewId);
    }

    // control: the same stack and the same bytes with the cluster's key are delivered
    try (ForgingStack insider = ForgingStack.connect(
        lan(cluster, port).nodeName("insider").security(clusterKey).build())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> target.view().member("insider").isPresent());
      insider.sendTo(target, forged);
      await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("insider:forged"));
    }
    assertThat(received).filteredOn(m -> m.endsWith(":forged")).containsExactly("insider:forged");
  }

  @Test
  void tcpPresetWithOnlyASharedKeyRefusesAnotherKeyAndMergesAfterAPartition() {
    try (TestCluster kit = TestCluster.start(2, b -> b.security(clusterKey))) {
      kit.awaitViews(List.of("node-1", "node-2"));
      assertThat(JGroupsStack.usesSharedKey(((DefaultCluster) kit.member("node-1")).config())).isTrue();
      assertThatThrownBy(() -> Cluster.join(kit.config("intruder").security(otherKey).build()))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThat(kit.member("node-2").members()).extracting(Member::name).containsExactly("node-1", "node-2");

      // merge requests and responses carry AUTH tokens too
      kit.partition(List.of("node-1"), List.of("node-2"));
      kit.awaitViews(List.of("node-1"), List.of("node-2"));
      kit.heal();
      kit.awaitViews(List.of("node-1", "node-2"));
      assertThat(kit.member("node-2").members()).extracting(Member::name)
          .containsExactlyInAnyOrder("node-1", "node-2");
    }
  }
}
