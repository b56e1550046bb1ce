package io.dstk.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class LeaseTest {
  private static StoreKit kit;

  @BeforeAll
  static void start() {
    kit = StoreKit.start(4);
  }

  @AfterAll
  static void stop() {
    kit.close();
  }

  @Test
  void heldLease_isRefusedToOthers_releaseLetsTheNextHolderInWithAHigherEpoch() {
    ClusterStore a = kit.store("node-2");
    ClusterStore b = kit.store("node-4");
    Lease first = a.tryAcquire("l.basic", Duration.ofSeconds(10)).orElseThrow();
    assertThat(first.isValid()).isTrue();
    assertThat(b.tryAcquire("l.basic", Duration.ofSeconds(10))).isEmpty();
    assertThat(b.leaseInfo("l.basic")).hasValueSatisfying(i -> {
      assertThat(i.holder()).isEqualTo(a.holderId());
      assertThat(i.epoch()).isEqualTo(first.epoch());
    });
    first.renew(Duration.ofSeconds(10));
    first.release();
    assertThat(first.isValid()).isFalse();
    assertThat(first.lost()).isDone();
    Lease second = b.tryAcquire("l.basic", Duration.ofSeconds(10)).orElseThrow();
    assertThat(second.epoch()).isGreaterThan(first.epoch());
    assertThatThrownBy(() -> first.renew(Duration.ofSeconds(1))).isInstanceOf(LeaseLostException.class);
    second.release();
  }

  @Tag("chaos")
  @RepeatedTest(5)
  void repeatedCompetition() throws Exception {
    twoMembersCompeting_neverHoldTheSameEpoch_andTheirHoldingIntervalsNeverOverlap();
  }

  @Test
  void twoMembersCompeting_neverHoldTheSameEpoch_andTheirHoldingIntervalsNeverOverlap() throws Exception {
    record Hold(String holder, long epoch, long from, long to) {}
    List<Hold> holds = Collections.synchronizedList(new ArrayList<>());
    String race = "l.race." + System.nanoTime();
    List<CompletableFuture<Void>> runs = new ArrayList<>();
    for (String n : List.of("node-2", "node-4")) {
      ClusterStore s = kit.store(n);
      runs.add(CompletableFuture.runAsync(() -> {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        int i = 0;
        while (System.nanoTime() < end) {
          Optional<Lease> l = s.tryAcquire(race, Duration.ofMillis(150));
          if (l.isEmpty()) {
            continue;
          }
          long from = System.nanoTime();
          Lease lease = l.get();
          // Alternate between releasing early and letting the lease expire.
          if (i++ % 2 == 0) {
            // The holder stops acting on the lease before it asks for the release.
            holds.add(new Hold(s.holderId(), lease.epoch(), from, System.nanoTime()));
            lease.release();
          } else {
            // The holder may act until its own deadline (isValid() turns false then); the lost() notification
            // follows on a timer thread and can be late on a busy machine, so the hold ends at the deadline.
            long deadline = System.nanoTime() + lease.remaining().toNanos();
            lease.lost().join();
            assertThat(lease.isValid()).isFalse();
            holds.add(new Hold(s.holderId(), lease.epoch(), from, deadline));
          }
        }
      }));
    }
    CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    Set<Long> epochs = new HashSet<>();
    Set<String> holders = new HashSet<>();
    for (Hold h : holds) {
      assertThat(epochs.add(h.epoch())).as("epoch %s granted twice in %s", h.epoch(), holds).isTrue();
      holders.add(h.holder());
    }
    assertThat(holders).hasSize(2);
    List<Hold> byStart = new ArrayList<>(holds);
    byStart.sort((x, y) -> Long.compare(x.from(), y.from()));
    for (int i = 1; i < byStart.size(); i++) {
      assertThat(byStart.get(i).from()).as("hold %s overlaps %s", byStart.get(i), byStart.get(i - 1))
          .isGreaterThanOrEqualTo(byStart.get(i - 1).to());
      assertThat(byStart.get(i).epoch()).isGreaterThan(byStart.get(i - 1).epoch());
    }
  }

  @Test
  void holderPausedPastExpiry_findsItsLeaseLostBeforeActing_andCannotRenewAfterATakeover() {
    AtomicLong pause = new AtomicLong();
    ClusterStore holder = kit.open("node-4", b -> b.ticker(() -> System.nanoTime() + pause.get()));
    ClusterStore other = kit.store("node-2");
    Lease lease = holder.tryAcquire("l.pause", Duration.ofMillis(300)).orElseThrow();
    lease.checkValid();
    // The holder's process stops for a second: its clock jumps past the deadline.
    pause.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertThat(lease.isValid()).isFalse();
    assertThatThrownBy(lease::checkValid).isInstanceOf(LeaseLostException.class);
    assertThat(lease.lost()).isDone();
    Lease taken = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
        .until(() -> other.tryAcquire("l.pause", Duration.ofSeconds(5)).orElse(null), l -> l != null);
    assertThat(taken.epoch()).isEqualTo(lease.epoch() + 1);
    assertThatThrownBy(() -> lease.renew(Duration.ofMillis(300))).isInstanceOf(LeaseLostException.class);
    taken.release();
  }

  @Test
  void leaseNotRenewed_reportsItsLossAtTheHolderDeadline() {
    Lease lease = kit.store("node-3").tryAcquire("l.expire", Duration.ofMillis(200)).orElseThrow();
    // The holder's deadline is counted from before the request was sent, minus the kit's 20 ms clock drift: at most
    // 180 ms from now, whatever the machine's load (a wall-clock bound on the notification would not be).
    assertThat(lease.remaining()).isLessThanOrEqualTo(Duration.ofMillis(180));
    lease.lost().join();
    assertThat(lease.isValid()).isFalse();
    assertThat(lease.remaining()).isEqualTo(Duration.ZERO);
  }
}
