package io.dstk.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.dstk.store.internal.Codec.Command;
import io.dstk.store.internal.Codec.Op;
import io.dstk.store.internal.Codec.Result;
import io.dstk.store.internal.Codec.Status;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The table of recent requests: duplicates answered with the first result, bounded by size and store time. */
class DedupTest {
  private static final long CLIENT = 0x5eedL;

  private static Command add(long stamp, long seq, long delta) {
    return new Command(Op.COUNTER_ADD, stamp, CLIENT, seq, "c", delta, 0, null, null);
  }

  private static long counter(StoreStateMachine sm) {
    return sm.apply(new Command(Op.COUNTER_GET, 0, "c", 0, 0, null, null)).version();
  }

  @Test
  void duplicateAddAndGet_isAppliedOnce_andAnsweredWithTheFirstResult() {
    StoreStateMachine sm = new StoreStateMachine(10);
    assertThat(sm.apply(add(10, 1, 5)).version()).isEqualTo(5);
    assertThat(sm.apply(add(20, 1, 5)).version()).isEqualTo(5);
    assertThat(counter(sm)).isEqualTo(5);
    assertThat(sm.duplicates()).isEqualTo(1);
    // The next request of the same client is a new request.
    assertThat(sm.apply(add(30, 2, 5)).version()).isEqualTo(10);
  }

  @Test
  void duplicateLeaseAcquire_returnsTheSameGrant_insteadOfLeaseHeldByItself() {
    StoreStateMachine sm = new StoreStateMachine(10);
    Command acquire = new Command(Op.LEASE_ACQUIRE, 100, CLIENT, 1, "L", 1000, 0, "h", null);
    Result first = sm.apply(acquire);
    Result retry = sm.apply(new Command(Op.LEASE_ACQUIRE, 150, CLIENT, 1, "L", 1000, 0, "h", null));
    assertThat(first.status()).isEqualTo(Status.OK);
    assertThat(retry).isEqualTo(first);
    // Without a request id, the same acquire is refused: the lease is held (by the same holder).
    assertThat(sm.apply(new Command(Op.LEASE_ACQUIRE, 160, "L", 1000, 0, "h", null)).status())
        .isEqualTo(Status.LEASE_HELD);
  }

  @Test
  void duplicateCompareAndSet_reportsSuccessAgain_notAVersionMismatch() {
    StoreStateMachine sm = new StoreStateMachine(10);
    Command cas = new Command(Op.CAS, 0, CLIENT, 1, "k", 0, 0, null, new byte[] {1});
    Result first = sm.apply(cas);
    assertThat(first.status()).isEqualTo(Status.OK);
    assertThat(sm.apply(cas)).isEqualTo(first);
  }

  @Test
  void tableIsBoundedBySize_theOldestRequestIsForgotten() {
    StoreStateMachine sm = new StoreStateMachine(10, 2, Long.MAX_VALUE);
    sm.apply(add(1, 1, 1));
    sm.apply(add(2, 2, 1));
    sm.apply(add(3, 3, 1));
    assertThat(sm.recentRequests()).isEqualTo(2);
    sm.apply(add(4, 3, 1)); // remembered
    assertThat(counter(sm)).isEqualTo(3);
    sm.apply(add(5, 1, 1)); // forgotten: applied again
    assertThat(counter(sm)).isEqualTo(4);
  }

  @Test
  void tableIsBoundedByStoreTime_aRequestOlderThanTheWindowIsForgotten() {
    StoreStateMachine sm = new StoreStateMachine(10, 100, 1_000);
    sm.apply(add(1_000, 1, 1));
    sm.apply(add(2_000, 1, 1)); // exactly maxAge later: still remembered
    assertThat(counter(sm)).isEqualTo(1);
    sm.apply(add(2_001, 2, 1));
    assertThat(sm.recentRequests()).isEqualTo(1); // request 1 expired
    sm.apply(add(2_002, 1, 1));
    assertThat(counter(sm)).isEqualTo(3);
  }

  @Test
  void tableSurvivesASnapshot() throws Exception {
    StoreStateMachine sm = new StoreStateMachine(10);
    sm.apply(add(1, 1, 7));
    byte[] snap = FormatTest.snapshot(sm);
    StoreStateMachine restored = new StoreStateMachine(10);
    restored.readContentFrom(new DataInputStream(new ByteArrayInputStream(snap)));
    assertThat(restored.apply(add(2, 1, 7)).version()).isEqualTo(7);
    assertThat(counter(restored)).isEqualTo(7);
  }

  @Test
  void anyInterleavingOfRetries_withinTheWindow_appliesEachRequestOnce() {
    // A history of submissions where each element is a request's sequence number; repeats are retries.
    qt().withFixedSeed(3).withExamples(300)
        .forAll(lists().of(integers().between(1, 40)).ofSizeBetween(0, 200))
        .checkAssert(submissions -> {
          StoreStateMachine sm = new StoreStateMachine(10, 1_000, Long.MAX_VALUE);
          Set<Integer> distinct = new HashSet<>();
          long stamp = 0;
          for (int seq : submissions) {
            long before = counter(sm);
            Result r = sm.apply(add(++stamp, seq, seq));
            if (distinct.add(seq)) {
              assertThat(r.version()).isEqualTo(before + seq);
            }
          }
          assertThat(counter(sm)).isEqualTo(distinct.stream().mapToLong(Integer::longValue).sum());
          assertThat(sm.duplicates()).isEqualTo(submissions.size() - distinct.size());
        });
  }

  @Test
  void readsCarryNoRequestId_andAreNotRemembered() {
    StoreStateMachine sm = new StoreStateMachine(10);
    sm.apply(new Command(Op.GET, 0, "k", 0, 0, null, null));
    assertThat(sm.recentRequests()).isZero();
    assertThat(Codec.isMutating(Op.GET)).isFalse();
    assertThat(List.of(Op.PUT, Op.CAS, Op.DELETE, Op.COUNTER_ADD, Op.COUNTER_CAS, Op.LEASE_ACQUIRE, Op.LEASE_RENEW,
        Op.LEASE_RELEASE)).allMatch(Codec::isMutating);
  }
}
