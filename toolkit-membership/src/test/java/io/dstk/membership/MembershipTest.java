package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MembershipTest {
  private TestCluster kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void threeMembersJoinInOrderAndAgreeOnOneCoordinator() {
    kit = TestCluster.start(3);
    for (String n : kit.names()) {
      Cluster c = kit.member(n);
      assertThat(c.members()).extracting(Member::name).containsExactly("node-1", "node-2", "node-3");
      assertThat(c.coordinator().name()).isEqualTo("node-1");
      assertThat(c.self().name()).isEqualTo(n);
      assertThat(c.members()).extracting(Member::joinOrder).containsExactly(0, 1, 2);
    }
    assertThat(kit.member("node-1").isCoordinator()).isTrue();
    assertThat(kit.member("node-2").isCoordinator()).isFalse();
    assertThat(kit.member("node-2").view().id()).isEqualTo(kit.member("node-3").view().id());
  }

  @Test
  void metadataIsSeenByEveryMember() {
    kit = TestCluster.create(b -> b.metadata("zone", "eu-1"));
    kit.join("a");
    kit.join(kit.config("b").metadata("weight", "3").build());
    kit.awaitViews(List.of("a", "b"));
    Member b = kit.member("a").view().member("b").orElseThrow();
    assertThat(b.metadata()).containsEntry("zone", "eu-1").containsEntry("weight", "3");
  }

  @Test
  void gracefulLeaveIsLeftAndCrashIsRemoved() {
    kit = TestCluster.start(3);
    List<MembershipEvent> events = new CopyOnWriteArrayList<>();
    kit.member("node-1").addListener(events::add);
    long before = kit.member("node-1").view().id();

    kit.leave("node-2");
    kit.awaitViews(List.of("node-1", "node-3"));
    kit.kill("node-3");
    kit.awaitViews(List.of("node-1"));

    await().atMost(Duration.ofSeconds(60)).until(() -> events.size() >= 2);
    assertThat(events.get(0)).isInstanceOfSatisfying(MembershipEvent.MemberLeft.class,
        e -> assertThat(e.member().name()).isEqualTo("node-2"));
    assertThat(events.get(1)).isInstanceOfSatisfying(MembershipEvent.MemberRemoved.class,
        e -> assertThat(e.member().name()).isEqualTo("node-3"));
    assertThat(events.get(0).newView().id()).isGreaterThan(before);
    assertThat(events.get(1).newView().id()).isGreaterThan(events.get(0).newView().id());
  }

  @Test
  void duplicateNodeNameIsRejectedAndNeverShown() {
    kit = TestCluster.start(2);
    long viewId = kit.member("node-1").view().id();
    assertThatThrownBy(() -> kit.join("node-2"))
        .isInstanceOf(DuplicateMemberNameException.class)
        .hasMessageContaining("node-2");
    assertThat(kit.member("node-1").members()).extracting(Member::name).containsExactly("node-1", "node-2");
    assertThat(kit.member("node-1").view().id()).isGreaterThanOrEqualTo(viewId);
  }

  @Test
  void coordinatorChangesWhenTheOldestLeaves() {
    kit = TestCluster.start(3);
    List<MembershipEvent> events = new CopyOnWriteArrayList<>();
    kit.member("node-3").addListener(events::add);
    kit.leave("node-1");
    kit.awaitViews(List.of("node-2", "node-3"));
    assertThat(kit.member("node-2").isCoordinator()).isTrue();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(events)
        .anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(MembershipEvent.CoordinatorChanged.class,
            c -> {
              assertThat(c.previous().name()).isEqualTo("node-1");
              assertThat(c.current().name()).isEqualTo("node-2");
            })));
  }

  @Test
  void eightMembersJoiningAtOnceConvergeToOneView() {
    // the localhost preset's discovery timeout: all eight wait for it, then the first in address order coordinates
    kit = TestCluster.create(b -> b.discoveryTimeout(Duration.ofMillis(500)));
    String[] names = {"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"};
    long start = System.nanoTime();
    kit.joinConcurrently(names);
    kit.awaitViews(List.of(names));
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("8 members joined concurrently in one JVM -> one view in " + millis + " ms");
    long coordinators = kit.names().stream().filter(n -> kit.member(n).isCoordinator()).count();
    assertThat(coordinators).isEqualTo(1);
  }

  @Test
  void gracefulCloseReturnsOnceEveryoneAcknowledged() {
    kit = TestCluster.start(3);
    DefaultCluster leaving = (DefaultCluster) kit.member("node-3");
    kit.leave("node-3");
    kit.awaitViews(List.of("node-1", "node-2"));
    // close() stopped waiting because both survivors acknowledged, not because its wait ran out
    assertThat(leaving.leaveAcknowledged()).isTrue();
  }

  @Test
  void expectedMembersIsTheConfiguredQuorumBase() {
    kit = TestCluster.start(1, b -> b.expectedMembers(3));
    assertThat(kit.member("node-1").expectedMembers()).isEqualTo(3);
    assertThat(kit.member("node-1").hasQuorum()).isFalse();
  }

  @Test
  void closeIsIdempotent() {
    kit = TestCluster.start(1);
    Cluster c = kit.member("node-1");
    c.close();
    c.close();
    assertThatThrownBy(() -> c.broadcast(Topic.of("t", PayloadCodec.utf8()), "x"))
        .isInstanceOf(MembershipException.class);
  }
}
