package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Quorum by an explicit voter list: a strict majority of the named voters, whatever else is in the view. */
class QuorumVotersTest {
  private TestCluster kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void sideWithMostVotersKeepsQuorumEvenWhenItHasNoMoreMembers() {
    kit = TestCluster.start(4, b -> b.voters("node-1", "node-2", "node-3"));
    List<MembershipEvent> voterSide = new CopyOnWriteArrayList<>();
    List<MembershipEvent> otherSide = new CopyOnWriteArrayList<>();
    kit.member("node-2").addListener(voterSide::add);
    kit.member("node-4").addListener(otherSide::add);
    assertThat(kit.names()).allMatch(n -> kit.member(n).hasQuorum());

    // two members each, but only node-2 + node-3 are a majority of the three voters
    kit.partition(List.of("node-1", "node-4"), List.of("node-2", "node-3"));
    kit.awaitViews(List.of("node-1", "node-4"), List.of("node-2", "node-3"));

    assertThat(kit.member("node-2").hasQuorum()).isTrue();
    assertThat(kit.member("node-3").hasQuorum()).isTrue();
    assertThat(kit.member("node-1").hasQuorum()).isFalse();
    assertThat(kit.member("node-4").hasQuorum()).isFalse();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(otherSide).anySatisfy(e -> assertThat(e).isInstanceOf(MembershipEvent.QuorumLost.class)));
    assertThat(voterSide).noneMatch(e -> e instanceof MembershipEvent.QuorumLost);

    kit.heal();
    kit.awaitViews(List.of("node-1", "node-2", "node-3", "node-4"));
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(otherSide).anySatisfy(e -> assertThat(e).isInstanceOf(MembershipEvent.QuorumRegained.class)));
    assertThat(kit.names()).allMatch(n -> kit.member(n).hasQuorum());
  }

  @Test
  void viewWithoutAMajorityOfVotersHasNoQuorumHoweverLarge() {
    kit = TestCluster.start(2, b -> b.voters("node-1", "v-absent-1", "v-absent-2"));
    assertThat(kit.names()).noneMatch(n -> kit.member(n).hasQuorum());
  }
}
