package io.dstk.membership.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DirectRunGateTest {
  private static final long BUDGET = 10_000_000L;
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final DirectRunGate gate = new DirectRunGate(2, BUDGET, now::get);

  @Test
  void aQuickHandlerRunsDirectlyEveryTime() {
    DirectRunGate.Slot slot = new DirectRunGate.Slot();
    for (int i = 0; i < 3; i++) {
      long start = gate.tryEnter(slot);
      assertThat(start).isNotZero();
      now.addAndGet(BUDGET / 2);
      gate.exit(slot, start);
    }
    assertThat(slot.slow()).isFalse();
    assertThat(gate.running()).isZero();
  }

  @Test
  void oneDirectRunPerHandlerAtATime() {
    DirectRunGate.Slot slot = new DirectRunGate.Slot();
    long start = gate.tryEnter(slot);
    assertThat(gate.tryEnter(slot)).as("second run while the first runs").isZero();
    gate.exit(slot, start);
    assertThat(gate.tryEnter(slot)).isNotZero();
  }

  @Test
  void atMostMaxDirectRunsInAll() {
    DirectRunGate.Slot a = new DirectRunGate.Slot();
    DirectRunGate.Slot b = new DirectRunGate.Slot();
    DirectRunGate.Slot c = new DirectRunGate.Slot();
    long sa = gate.tryEnter(a);
    long sb = gate.tryEnter(b);
    assertThat(sa).isNotZero();
    assertThat(sb).isNotZero();
    assertThat(gate.tryEnter(c)).isZero();
    assertThat(gate.running()).isEqualTo(2);
    gate.exit(a, sa);
    assertThat(gate.tryEnter(c)).isNotZero();
    assertThat(c.slow()).isFalse();
  }

  @Test
  void aRunOverTheBudgetMovesItsHandlerToThePoolForGood() {
    DirectRunGate.Slot slot = new DirectRunGate.Slot();
    long start = gate.tryEnter(slot);
    now.addAndGet(2 * BUDGET);
    gate.exit(slot, start);
    assertThat(slot.slow()).isTrue();
    assertThat(gate.tryEnter(slot)).isZero();
    assertThat(gate.running()).isZero();
  }

  @Test
  void aRunStillGoingPastTheBudgetIsSeenByTheNextRequest() {
    DirectRunGate.Slot slot = new DirectRunGate.Slot();
    long start = gate.tryEnter(slot);
    now.addAndGet(BUDGET / 2);
    assertThat(gate.tryEnter(slot)).isZero();
    assertThat(slot.slow()).as("within the budget").isFalse();
    now.addAndGet(BUDGET);
    assertThat(gate.tryEnter(slot)).isZero();
    assertThat(slot.slow()).as("past the budget, still running").isTrue();
    gate.exit(slot, start);
    assertThat(gate.tryEnter(slot)).isZero();
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new DirectRunGate(0, BUDGET, now::get))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDirect");
    assertThatThrownBy(() -> new DirectRunGate(1, 0, now::get))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budgetNanos");
  }
}
