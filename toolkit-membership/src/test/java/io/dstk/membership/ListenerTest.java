package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ListenerTest {
  private TestCluster kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void eventsArriveInViewOrderOnOurOwnThread() {
    kit = TestCluster.start(1);
    List<MembershipEvent> events = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    kit.member("node-1").addListener(e -> {
      events.add(e);
      threads.add(Thread.currentThread().getName());
    });
    kit.join("node-2");
    kit.join("node-3");
    kit.join("node-4");
    await().atMost(Duration.ofSeconds(60)).until(() -> events.size() >= 3);
    assertThat(events).allSatisfy(e -> assertThat(e).isInstanceOf(MembershipEvent.MemberJoined.class));
    assertThat(events).extracting(e -> ((MembershipEvent.MemberJoined) e).member().name())
        .containsExactly("node-2", "node-3", "node-4");
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).newView().id()).isGreaterThan(events.get(i - 1).newView().id());
      assertThat(events.get(i).oldView()).isEqualTo(events.get(i - 1).newView());
    }
    assertThat(threads).allSatisfy(t -> assertThat(t).startsWith("dstk-membership-events-"));
  }

  @Test
  void slowListenerOverflowCollapsesIntoViewsSkippedWhileOthersGetEverything() throws Exception {
    kit = TestCluster.create(b -> b.listenerQueueCapacity(2));
    kit.join("node-1");
    CountDownLatch release = new CountDownLatch(1);
    List<MembershipEvent> slow = new CopyOnWriteArrayList<>();
    List<MembershipEvent> fast = new CopyOnWriteArrayList<>();
    kit.member("node-1").addListener(e -> {
      slow.add(e);
      try {
        release.await(10, TimeUnit.MINUTES); // blocked until the test releases it, however slowly it runs
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    });
    kit.member("node-1").addListener(fast::add);
    try {
      for (int i = 2; i <= 5; i++) {
        kit.join("node-" + i);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> fast.size() >= 4);
      assertThat(fast).extracting(e -> ((MembershipEvent.MemberJoined) e).member().name())
          .containsExactly("node-2", "node-3", "node-4", "node-5");
    } finally {
      release.countDown();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> slow.size() >= 2);
    assertThat(slow.get(0)).isInstanceOf(MembershipEvent.MemberJoined.class);
    MembershipEvent last = slow.get(slow.size() - 1);
    assertThat(last).isInstanceOfSatisfying(MembershipEvent.ViewsSkipped.class, s -> {
      assertThat(s.skippedEvents()).isEqualTo(3);
      assertThat(s.newView()).isEqualTo(kit.member("node-1").view());
      assertThat(s.oldView()).isEqualTo(slow.get(0).newView());
    });
    assertThat(slow).hasSize(2);
  }

  @Test
  void failingListenerKeepsReceivingAndRemovedListenerStops() {
    kit = TestCluster.start(1);
    List<MembershipEvent> seen = new CopyOnWriteArrayList<>();
    List<MembershipEvent> removedSeen = new CopyOnWriteArrayList<>();
    kit.member("node-1").addListener(e -> {
      seen.add(e);
      throw new IllegalStateException("listener bug");
    });
    Registration r = kit.member("node-1").addListener(removedSeen::add);
    kit.join("node-2");
    await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 1 && removedSeen.size() == 1);
    r.close();
    r.close();
    kit.join("node-3");
    await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 2);
    assertThat(removedSeen).hasSize(1);
  }
}
