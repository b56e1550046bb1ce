package io.dstk.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dstk.store.internal.Codec.Command;
import io.dstk.store.internal.Codec.Op;
import io.dstk.store.internal.Codec.Result;
import io.dstk.store.internal.Codec.Status;
import org.junit.jupiter.api.Test;

/** The state machine in virtual time: stamps are the only clock. */
class StateMachineTest {
  private final StoreStateMachine sm = new StoreStateMachine(3);

  private Result run(int op, long stamp, String name, long a, long b, String holder, byte[] value) {
    return sm.apply(new Command(op, stamp, name, a, b, holder, value));
  }

  @Test
  void leaseExpiresExactlyAtGrantStampPlusTtl_andTheNextGrantHasTheNextEpoch() {
    assertThat(run(Op.LEASE_ACQUIRE, 1000, "L", 500, 0, "a", null).version()).isEqualTo(1);
    assertThat(run(Op.LEASE_ACQUIRE, 1499, "L", 500, 0, "b", null).status()).isEqualTo(Status.LEASE_HELD);
    Result b = run(Op.LEASE_ACQUIRE, 1500, "L", 500, 0, "b", null);
    assertThat(b.status()).isEqualTo(Status.OK);
    assertThat(b.version()).isEqualTo(2);
    assertThat(run(Op.LEASE_RENEW, 1600, "L", 1, 500, "a", null).status()).isEqualTo(Status.LEASE_LOST);
    assertThat(run(Op.LEASE_RENEW, 1600, "L", 2, 500, "b", null).status()).isEqualTo(Status.OK);
    assertThat(run(Op.LEASE_ACQUIRE, 2099, "L", 500, 0, "a", null).status()).isEqualTo(Status.LEASE_HELD);
  }

  @Test
  void aStampBelowTheStoreTime_doesNotMoveTimeBackwards() {
    run(Op.LEASE_ACQUIRE, 1000, "L", 500, 0, "a", null);
    run(Op.COUNTER_ADD, 2000, "c", 1, 0, null, null);
    // A new leader's clock may start behind: the lease stays expired.
    assertThat(run(Op.LEASE_ACQUIRE, 1200, "L", 500, 0, "b", null).status()).isEqualTo(Status.OK);
    assertThat(sm.time()).isEqualTo(2000);
  }

  @Test
  void releaseKeepsTheEpoch_soFencingTokensOnlyGrow() {
    run(Op.LEASE_ACQUIRE, 10, "L", 100, 0, "a", null);
    assertThat(run(Op.LEASE_RELEASE, 20, "L", 1, 0, "a", null).status()).isEqualTo(Status.OK);
    assertThat(run(Op.LEASE_RELEASE, 21, "L", 1, 0, "a", null).status()).isEqualTo(Status.LEASE_LOST);
    assertThat(run(Op.LEASE_ACQUIRE, 30, "L", 100, 0, "b", null).version()).isEqualTo(2);
  }

  @Test
  void versionsGrowStoreWide_andCasComparesVersions() {
    long v1 = run(Op.PUT, 0, "x", 0, 0, null, new byte[] {1}).version();
    long v2 = run(Op.PUT, 0, "y", 0, 0, null, new byte[] {2}).version();
    assertThat(v2).isGreaterThan(v1);
    Result mismatch = run(Op.CAS, 0, "x", v2, 0, null, new byte[] {3});
    assertThat(mismatch.status()).isEqualTo(Status.VERSION_MISMATCH);
    assertThat(mismatch.version()).isEqualTo(v1);
    assertThat(run(Op.CAS, 0, "x", v1, 0, null, new byte[] {3}).status()).isEqualTo(Status.OK);
    assertThat(run(Op.CAS, 0, "new", 0, 0, null, new byte[] {3}).status()).isEqualTo(Status.OK);
    assertThat(run(Op.DELETE, 0, "absent", -1, 0, null, null).status()).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void keyCap_refusesNewKeysButAllowsUpdates() {
    run(Op.PUT, 0, "a", 0, 0, null, new byte[] {1});
    run(Op.COUNTER_ADD, 0, "b", 1, 0, null, null);
    run(Op.LEASE_ACQUIRE, 0, "c", 10, 0, "h", null);
    assertThat(run(Op.PUT, 0, "d", 0, 0, null, new byte[] {1}).status()).isEqualTo(Status.KEY_LIMIT);
    assertThat(run(Op.COUNTER_ADD, 0, "e", 1, 0, null, null).status()).isEqualTo(Status.KEY_LIMIT);
    assertThat(run(Op.PUT, 0, "a", 0, 0, null, new byte[] {2}).status()).isEqualTo(Status.OK);
    assertThat(sm.size()).isEqualTo(3);
  }

  @Test
  void counterOverflow_isRefusedAndLeavesTheCounter() {
    run(Op.COUNTER_ADD, 0, "c", Long.MAX_VALUE, 0, null, null);
    assertThat(run(Op.COUNTER_ADD, 0, "c", 1, 0, null, null).status()).isEqualTo(Status.BAD_COMMAND);
    assertThat(run(Op.COUNTER_GET, 0, "c", 0, 0, null, null).version()).isEqualTo(Long.MAX_VALUE);
  }
}
