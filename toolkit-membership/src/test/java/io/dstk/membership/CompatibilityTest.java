package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CompatibilityTest {
  private TestCluster kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void memberOnThePreviousWireVersionJoinsAndUnknownVersionIsRefused() {
    kit = TestCluster.create(b -> b.wireVersion(2));
    kit.join("new");
    kit.join(kit.config("previous").wireVersion(1).build());
    kit.awaitViews(List.of("new", "previous"));

    assertThatThrownBy(() -> kit.join(kit.config("future").wireVersion(4).build()))
        .isInstanceOf(IncompatibleWireVersionException.class)
        .hasMessageContaining("wire version 2");
    // 3 is adjacent to 2 but not to 1: a joiner must accept every member already there
    assertThatThrownBy(() -> kit.join(kit.config("next").wireVersion(3).build()))
        .isInstanceOf(IncompatibleWireVersionException.class)
        .hasMessageContaining("'previous' speaks wire version 1");
    assertThat(kit.member("new").members()).extracting(Member::name).containsExactly("new", "previous");
    assertThat(kit.member("previous").members()).extracting(Member::name).containsExactly("new", "previous");
  }

  @Test
  void messagesOfAdjacentWireVersionsAreDeliveredAndOthersDroppedAndCounted() throws Exception {
    kit = TestCluster.start(1);
    Cluster target = kit.member("node-1");
    Topic<String> topic = Topic.of("versions", PayloadCodec.utf8());
    List<String> received = new CopyOnWriteArrayList<>();
    target.subscribe(topic, (from, m) -> received.add(m));
    try (ForgingStack sender = ForgingStack.connect(kit.config("sender").build())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> target.view().member("sender").isPresent());
      long droppedBefore = target.stats().messagesDropped();
      int own = ClusterConfig.WIRE_VERSION;
      sender.sendTo(target, ForgingStack.frame(own + 2, topic.name(), "v+2"));
      sender.sendTo(target, ForgingStack.frame(own + 1, topic.name(), "v+1"));
      sender.sendTo(target, ForgingStack.frame(own, topic.name(), "v"));

      await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == 2);
      assertThat(received).containsExactlyInAnyOrder("v+1", "v");
      assertThat(target.stats().messagesDropped()).isEqualTo(droppedBefore + 1);
    }
  }
}
