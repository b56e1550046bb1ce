package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class PartitionTest {
  private TestCluster kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
      kit = null;
    }
  }

  @Tag("chaos")
  @RepeatedTest(5)
  void partitionAndHealRepeated() {
    tearDown();
    partitionGivesOneCoordinatorPerSideAndQuorumOnlyToTheMajorityThenHealMerges();
  }

  @Test
  void partitionGivesOneCoordinatorPerSideAndQuorumOnlyToTheMajorityThenHealMerges() {
    kit = TestCluster.start(3, b -> b.expectedMembers(3));
    List<MembershipEvent> minority = new CopyOnWriteArrayList<>();
    List<MembershipEvent> majority = new CopyOnWriteArrayList<>();
    kit.member("node-3").addListener(minority::add);
    kit.member("node-1").addListener(majority::add);
    assertThat(kit.member("node-3").hasQuorum()).isTrue();

    kit.partition(List.of("node-1", "node-2"), List.of("node-3"));
    kit.awaitViews(List.of("node-1", "node-2"), List.of("node-3"));

    assertThat(List.of("node-1", "node-2")).filteredOn(n -> kit.member(n).isCoordinator()).hasSize(1);
    assertThat(kit.member("node-1").coordinator()).isEqualTo(kit.member("node-2").coordinator());
    assertThat(kit.member("node-3").isCoordinator()).isTrue();
    assertThat(kit.member("node-1").hasQuorum()).isTrue();
    assertThat(kit.member("node-3").hasQuorum()).isFalse();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(minority).anySatisfy(e -> assertThat(e).isInstanceOf(MembershipEvent.QuorumLost.class));
      assertThat(minority).anySatisfy(e -> assertThat(e).isInstanceOf(MembershipEvent.CoordinatorChanged.class));
      assertThat(majority).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(
          MembershipEvent.MemberRemoved.class, r -> assertThat(r.member().name()).isEqualTo("node-3")));
    });
    assertThat(majority).noneMatch(e -> e instanceof MembershipEvent.QuorumLost);

    long healStart = System.nanoTime();
    kit.heal();
    kit.awaitViews(List.of("node-1", "node-2", "node-3"));
    long healMillis = (System.nanoTime() - healStart) / 1_000_000;
    System.out.println("heal -> merged view in " + healMillis + " ms (MERGE3 max_interval 1 s, check_interval 2 s)");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(minority).anySatisfy(e -> assertThat(e).isInstanceOf(MembershipEvent.QuorumRegained.class));
      assertThat(majority).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(
          MembershipEvent.PartitionHealed.class, h -> {
            Set<Set<String>> sides = h.subgroups().stream()
                .map(g -> g.stream().map(Member::name).collect(Collectors.toSet()))
                .collect(Collectors.toSet());
            assertThat(sides).containsExactlyInAnyOrder(Set.of("node-1", "node-2"), Set.of("node-3"));
          }));
    });
    long coordinators = kit.names().stream().filter(n -> kit.member(n).isCoordinator()).count();
    assertThat(coordinators).isEqualTo(1);
    assertThat(kit.member("node-3").view().id()).isEqualTo(kit.member("node-1").view().id());
  }
}
