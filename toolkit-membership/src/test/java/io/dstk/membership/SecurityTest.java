package io.dstk.membership;

import static io.dstk.membership.TestKeys.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS: members with trusted keys form a cluster; a process with an untrusted key is refused at join with
 * {@link AuthenticationFailedException}, and its own JGroups stack can neither join nor read nor write framed dstk
 * messages that the same stack with a trusted key does deliver.
 */
class SecurityTest {
  private static ClusterSecurity members;
  private static ClusterSecurity intruder;

  private TestCluster kit;

  @BeforeAll
  static void keys() throws Exception {
    Path dir = TestKeys.shared(); // the intruder would accept the members; they must not accept it
    members = ClusterSecurity.mutualTls(dir.resolve("member.p12"), PASSWORD, dir.resolve("member-trust.p12"),
        PASSWORD);
    intruder = ClusterSecurity.mutualTls(dir.resolve("intruder.p12"), PASSWORD, dir.resolve("intruder-trust.p12"),
        PASSWORD);
  }

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void untrustedMemberJoinFailsWithAuthenticationFailed() {
    kit = TestCluster.start(2, b -> b.security(members));
    kit.awaitViews(List.of("node-1", "node-2"));
    long viewId = kit.member("node-1").view().id();

    assertThatThrownBy(() -> Cluster.join(kit.config("intruder").security(intruder).build()))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("intruder").hasMessageContaining("TLS handshake failed");

    assertThat(kit.member("node-1").view().id()).isEqualTo(viewId);
    assertThat(kit.member("node-2").members()).extracting(Member::name).containsExactly("node-1", "node-2");
  }

  @Test
  void untrustedStackCanNeitherReadNorWriteWhatATrustedStackCan() throws Exception {
    kit = TestCluster.start(2, b -> b.security(members));
    kit.awaitViews(List.of("node-1", "node-2"));
    long viewId = kit.member("node-1").view().id();
    Cluster target = kit.member("node-2");
    Topic<String> topic = Topic.of("secrets", PayloadCodec.utf8());
    List<String> received = new CopyOnWriteArrayList<>();
    target.subscribe(topic, (from, m) -> received.add(from.name() + ":" + m));
    byte[] forged = ForgingStack.frame(topic.name(), "forged");
    long droppedBefore = target.stats().messagesDropped();

    // a stack with the intruder's key and the dstk address format: framed messages to node-2 alone and to its view
    try (ForgingStack intruderStack = ForgingStack.connect(kit.config("intruder").security(intruder).build())) {
      intruderStack.sendTo(target, forged);
      intruderStack.broadcast(forged);
      kit.member("node-1").broadcast(topic, "hello");

      await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("node-1:hello"));
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30))
          .until(() -> received.size() == 1 && intruderStack.received().isEmpty());
      assertThat(intruderStack.viewMembers()).containsExactly(intruderStack.address());
      assertThat(target.stats().messagesDropped()).as("never reached the dstk layer").isEqualTo(droppedBefore);
      assertThat(kit.member("node-1").view().id()).isEqualTo(viewId);
    }

    // control: the same stack and the same bytes with a trusted key are delivered, so the refusal above is security's
    try (ForgingStack insider = ForgingStack.connect(kit.config("insider").security(members).build())) {
      await().atMost(Duration.ofSeconds(60))
          .until(() -> target.view().member("insider").isPresent());
      insider.sendTo(target, forged);
      await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("insider:forged"));
    }
    assertThat(received).containsExactly("node-1:hello", "insider:forged");
  }

  @Test
  void untrustedMemberWithStaticSeedsFailsWithAuthenticationFailed() {
    int base = TestCluster.freePortRange(3);
    String cluster = "dstk-tls-seeds-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    java.util.function.Function<String, ClusterConfig.Builder> config = name -> ClusterConfig
        .staticSeeds("127.0.0.1:" + base, "127.0.0.1:" + (base + 1)).clusterName(cluster).bindAddress("127.0.0.1")
        .ports(base, 3).discoveryTimeout(Duration.ofSeconds(1)).nodeName(name);
    try (Cluster s1 = Cluster.join(config.apply("s1").security(members).build());
        Cluster s2 = Cluster.join(config.apply("s2").security(members).build())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> s1.members().size() == 2 && s2.members().size() == 2);

      assertThatThrownBy(() -> Cluster.join(config.apply("intruder").security(intruder).build()))
          .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("127.0.0.1:" + base);
      assertThat(s2.members()).extracting(Member::name).containsExactly("s1", "s2");
    }
  }
}
