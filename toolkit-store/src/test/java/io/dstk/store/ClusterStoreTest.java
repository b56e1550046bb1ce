package io.dstk.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.PayloadCodec;
import io.dstk.store.internal.Codec;
import io.dstk.store.internal.Codec.Command;
import io.dstk.store.internal.Codec.Op;
import io.dstk.store.internal.Codec.Result;
import io.dstk.store.internal.Codec.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClusterStoreTest {
  private static StoreKit kit;

  @BeforeAll
  static void start() {
    kit = StoreKit.start(4);
  }

  @AfterAll
  static void stop() {
    kit.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putOnOneMember_everyMemberReadsItWithItsVersion() {
    long v = kit.store("node-2").put("basic.k", b("v1"));
    for (ClusterStore s : kit.stores()) {
      assertThat(s.get("basic.k")).hasValueSatisfying(x -> {
        assertThat(x.version()).isEqualTo(v);
        assertThat(new String(x.value(), StandardCharsets.UTF_8)).isEqualTo("v1");
      });
    }
  }

  @Test
  void asyncVariants_completeWithTheSameResultsAsTheBlockingOnes() throws Exception {
    ClusterStore s = kit.store("node-3");
    long v = s.putAsync("async.k", b("a")).get(10, TimeUnit.SECONDS);
    assertThat(s.getAsync("async.k").get(10, TimeUnit.SECONDS)).hasValueSatisfying(x ->
        assertThat(x.version()).isEqualTo(v));
    CasResult stale = s.compareAndSetAsync("async.k", v - 1, b("b")).get(10, TimeUnit.SECONDS);
    assertThat(stale).isEqualTo(new CasResult(false, v));
    CasResult ok = s.compareAndSetAsync("async.k", v, b("b")).get(10, TimeUnit.SECONDS);
    assertThat(ok.success()).isTrue();
    assertThat(ok.version()).isGreaterThan(v);
    assertThat(s.counter("async.c").addAndGetAsync(3).get(10, TimeUnit.SECONDS)).isEqualTo(3);
    assertThat(s.counter("async.c").compareAndSetAsync(3, 10).get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(s.counter("async.c").getAsync().get(10, TimeUnit.SECONDS)).isEqualTo(10);
    Lease lease = s.tryAcquireAsync("async.l", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS).orElseThrow();
    lease.renewAsync(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
    assertThat(lease.remaining()).isPositive();
    lease.release();
    assertThat(s.deleteAsync("async.k").get(10, TimeUnit.SECONDS)).isGreaterThan(ok.version());
    assertThat(s.get("async.k")).isEmpty();
  }

  @Test
  void leaseAsyncVariants_acquireWaitsForTheRelease_leaseInfoReadsTheHolder_releaseFreesTheName() throws Exception {
    ClusterStore a = kit.store("node-4");
    ClusterStore b = kit.store("node-1");
    long before = System.nanoTime();
    Lease first = a.acquireAsync("async.lease", Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS);
    assertThat(first.isValid()).isTrue();
    // The holder-side expiry: counted from before the request was sent, minus the kit's 20 ms drift margin.
    assertThat(first.expiresAtNanos() - before).isLessThanOrEqualTo(Duration.ofSeconds(30).toNanos());
    assertThat(first.expiresAtNanos() - System.nanoTime()).isPositive();
    assertThat(b.leaseInfoAsync("async.lease").get(10, TimeUnit.SECONDS)).hasValueSatisfying(i -> {
      assertThat(i.holder()).isEqualTo(a.holderId());
      assertThat(i.epoch()).isEqualTo(first.epoch());
    });
    assertThatThrownBy(() -> b.acquireAsync("async.lease", Duration.ofSeconds(30), Duration.ofMillis(100))
        .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StoreTimeoutException.class);
    CompletableFuture<Lease> waiting = b.acquireAsync("async.lease", Duration.ofSeconds(30), Duration.ofSeconds(30));
    assertThat(waiting).isNotDone();
    first.releaseAsync().get(10, TimeUnit.SECONDS);
    assertThat(first.isValid()).isFalse();
    assertThat(first.releaseAsync()).isCompleted(); // already released: nothing to send
    Lease second = waiting.get(30, TimeUnit.SECONDS);
    assertThat(second.epoch()).isGreaterThan(first.epoch());
    second.release();
    assertThat(a.leaseInfoAsync("async.lease").get(10, TimeUnit.SECONDS)).isEmpty();
    // acquire(name, ttl) on a free name: at once, like tryAcquire.
    Lease third = a.acquire("async.lease", Duration.ofSeconds(30));
    assertThat(third.epoch()).isGreaterThan(second.epoch());
    third.releaseAsync().get(10, TimeUnit.SECONDS);
  }

  @Test
  void nonVoterUsesTheStoreThroughAVoter() {
    ClusterStore outsider = kit.store("node-4");
    assertThat(outsider.isVoter()).isFalse();
    long v = outsider.put("nv.k", b("x"));
    assertThat(outsider.compareAndSet("nv.k", v, b("y")).success()).isTrue();
    assertThat(outsider.counter("nv.c").addAndGet(5)).isEqualTo(5);
    assertThat(outsider.hasQuorum()).isTrue();
  }

  @Test
  void sameRequestSubmittedTwice_throughAVoterAndTheLeader_movesTheCounterOnce() {
    DefaultClusterStore outsider = (DefaultClusterStore) kit.store("node-4");
    DefaultClusterStore leader = (DefaultClusterStore) kit.store(kit.awaitLeader());
    byte[] add = Codec.encode(new Command(Op.COUNTER_ADD, 0, 0x7e57L, 1, "dup.c", 5, 0, null, null));
    Result first = DefaultClusterStore.join(outsider.executeEncoded(add));
    Result again = DefaultClusterStore.join(outsider.executeEncoded(add));
    Result viaLeader = DefaultClusterStore.join(leader.executeEncoded(add));
    assertThat(first.status()).isEqualTo(Status.OK);
    assertThat(first.version()).isEqualTo(5);
    assertThat(again).isEqualTo(first);
    assertThat(viaLeader).isEqualTo(first);
    assertThat(outsider.counter("dup.c").get()).isEqualTo(5);
    // Every voter applied it once and answered the duplicates from its table.
    for (String v : StoreKit.VOTERS) {
      DefaultClusterStore d = (DefaultClusterStore) kit.store(v);
      await().atMost(Duration.ofSeconds(60)).until(() -> d.stats().duplicates() >= 2);
    }
    // The public API gives each call a new request id: a second call adds again.
    assertThat(outsider.counter("dup.c").addAndGet(5)).isEqualTo(10);
  }

  @Test
  void retriedLeaseAcquire_returnsTheSameGrant() {
    DefaultClusterStore s = (DefaultClusterStore) kit.store("node-3");
    byte[] acquire = Codec.encode(new Command(Op.LEASE_ACQUIRE, 0, 0x7e58L, 1, "dup.l",
        Duration.ofSeconds(5).toNanos(), 0, s.holderId(), null));
    Result first = DefaultClusterStore.join(s.executeEncoded(acquire));
    Result retry = DefaultClusterStore.join(s.executeEncoded(acquire));
    assertThat(first.status()).isEqualTo(Status.OK);
    assertThat(retry.status()).isEqualTo(Status.OK);
    assertThat(retry.version()).isEqualTo(first.version());
    assertThat(kit.store("node-1").leaseInfo("dup.l")).hasValueSatisfying(i ->
        assertThat(i.epoch()).isEqualTo(first.version()));
  }

  @Test
  void typedMap_storesEncodedValuesUnderItsPrefix_withTheByteApisVersions() {
    ClusterStore s = kit.store("node-4");
    StoreMap<Long> budgets = s.map("budget.", PayloadCodec.longs());
    long v = budgets.put("eu", 1_000L);
    assertThat(budgets.get("eu")).contains(new VersionedValue<>(1_000L, v));
    // The byte API sees the encoded value under prefix + key.
    assertThat(kit.store("node-1").get("budget.eu")).hasValueSatisfying(x -> {
      assertThat(x.version()).isEqualTo(v);
      assertThat(x.value()).isEqualTo(PayloadCodec.longs().encode(1_000L));
    });
    assertThat(budgets.compareAndSet("eu", v - 1, 5L)).isEqualTo(new CasResult(false, v));
    CasResult ok = budgets.compareAndSet("eu", v, 900L);
    assertThat(ok.success()).isTrue();
    assertThat(budgets.get("eu").orElseThrow().value()).isEqualTo(900L);
    assertThat(budgets.get("us")).isEmpty();
    assertThat(budgets.delete("eu")).isGreaterThan(ok.version());
    assertThat(budgets.get("eu")).isEmpty();
    StoreMap<String> names = s.map("", PayloadCodec.utf8());
    assertThat(names.putAsync("typed.name", "zoë").thenCompose(x -> names.getAsync("typed.name")).join())
        .hasValueSatisfying(x -> assertThat(x.value()).isEqualTo("zoë"));
  }

  @Test
  void typedMap_valueItsCodecCannotDecode_failsTheReadAndLeavesTheValue() {
    ClusterStore s = kit.store("node-2");
    long v = s.put("typed.bad.k", new byte[] {1, 2, 3});
    StoreMap<Long> longs = s.map("typed.bad.", PayloadCodec.longs());
    assertThatThrownBy(() -> longs.get("k")).isInstanceOf(StoreException.class)
        .hasMessageContaining("typed.bad.k").hasMessageContaining("3 bytes");
    assertThat(s.get("typed.bad.k").orElseThrow().version()).isEqualTo(v);
  }
}
