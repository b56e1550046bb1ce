package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.hash.ConsistentHash;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterRingTest {
  private TestCluster kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  private static Set<String> names(ConsistentHash<Member> ring) {
    return ring.nodes().stream().map(Member::name).collect(Collectors.toSet());
  }

  @Test
  void ringFollowsViewsAndOnlyTheDeadMembersKeysMove() {
    kit = TestCluster.start(3);
    ClusterRing ring1 = ClusterRing.create(kit.member("node-1"));
    ClusterRing ring2 = ClusterRing.create(kit.member("node-2"));
    List<ClusterRing.RingChange> changes = new CopyOnWriteArrayList<>();
    ring1.addListener(changes::add);
    assertThat(names(ring1.current())).containsExactlyInAnyOrder("node-1", "node-2", "node-3");
    List<String> keys = IntStream.range(0, 2000).mapToObj(i -> "key-" + i).toList();
    for (String k : keys) {
      assertThat(ring1.current().nodeFor(k).name()).isEqualTo(ring2.current().nodeFor(k).name());
    }
    ConsistentHash<Member> before = ring1.current();

    kit.kill("node-3");
    kit.awaitViews(List.of("node-1", "node-2"));
    await().atMost(Duration.ofSeconds(60)).until(() -> names(ring1.current()).size() == 2
        && names(ring2.current()).size() == 2);

    ConsistentHash<Member> after = ring1.current();
    assertThat(names(after)).containsExactlyInAnyOrder("node-1", "node-2");
    long moved = 0;
    for (String k : keys) {
      String was = before.nodeFor(k).name();
      String now = after.nodeFor(k).name();
      assertThat(now).isEqualTo(ring2.current().nodeFor(k).name());
      if (!was.equals("node-3")) {
        assertThat(now).as("key %s owned by a survivor must not move", k).isEqualTo(was);
      } else {
        moved++;
      }
    }
    assertThat(moved).isPositive();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(changes).isNotEmpty());
    ClusterRing.RingChange last = changes.get(changes.size() - 1);
    assertThat(last.current()).isSameAs(after);
    assertThat(last.view()).isEqualTo(ring1.view());
    ring1.close();
    ring1.close();
  }

  @Test
  void restartUnderTheSameNameGetsTheSamePlace() {
    kit = TestCluster.start(3);
    ClusterRing ring = ClusterRing.create(kit.member("node-1"));
    String key = IntStream.range(0, 1000).mapToObj(i -> "k" + i)
        .filter(k -> ring.current().nodeFor(k).name().equals("node-3")).findFirst().orElseThrow();
    kit.leave("node-3");
    kit.awaitViews(List.of("node-1", "node-2"));
    kit.join("node-3");
    kit.awaitViews(List.of("node-1", "node-2", "node-3"));
    await().atMost(Duration.ofSeconds(60)).until(() -> ring.current().nodes().size() == 3);
    assertThat(ring.current().nodeFor(key).name()).isEqualTo("node-3");
  }
}
