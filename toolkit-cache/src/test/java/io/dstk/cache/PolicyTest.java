package io.dstk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.PayloadCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PolicyTest {
  private CacheKit kit;

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
  }

  @Test
  void rejectPolicyRefusesNewKeysWhenFullButKeepsUpdatingExistingOnes() {
    kit = CacheKit.start(3, b -> b.maximumSize(3).fullPolicy(FullPolicy.REJECT));
    for (int i = 0; i < 3; i++) {
      kit.cache("node-2").put("k" + i, "v");
    }
    assertThatThrownBy(() -> kit.cache("node-3").put("k3", "v")).isInstanceOf(CacheFullException.class)
        .hasMessageContaining("full");
    kit.cache("node-3").put("k0", "updated");
    assertThat(kit.cache("node-1").get("k0")).isEqualTo("updated");
    assertThat(kit.cache("node-1").get("k3")).isNull();
    assertThat(kit.all()).allMatch(c -> c.size() == 3);
  }

  @Test
  void onlyTheOrderingMemberCallsTheWriterAndTheLoaderFillsMissesClusterWide() {
    Map<String, AtomicLong> writes = new ConcurrentHashMap<>();
    // reopen the kit's caches with a writer per member that counts under its member's name
    CacheKit k = CacheKit.start(3);
    kit = k;
    k.all().forEach(ReplicatedCache::close);
    k.caches.clear();
    for (String node : k.cluster.names()) {
      var cfg = CacheConfig.builder("test", PayloadCodec.utf8(), PayloadCodec.utf8())
          .loader(key -> "loaded-" + key)
          .writer(new CacheWriter<String, String>() {
            @Override
            public void write(String key, String value) {
              writes.computeIfAbsent(node, n -> new AtomicLong()).incrementAndGet();
            }

            @Override
            public void delete(String key) {
              writes.computeIfAbsent(node, n -> new AtomicLong()).incrementAndGet();
            }
          }).build();
      k.caches.put(node, ReplicatedCache.create(k.cluster.member(node), cfg));
    }
    k.awaitAllReady();
    k.cache("node-2").put("w", "1");
    k.cache("node-3").put("w", "2");
    k.cache("node-3").remove("w");
    assertThat(writes).containsOnlyKeys("node-1");
    assertThat(writes.get("node-1")).hasValue(3);

    assertThat(k.cache("node-3").get("x")).isEqualTo("loaded-x");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(k.cache("node-1").getVersioned("x")).hasValueSatisfying(v ->
            assertThat(v.value()).isEqualTo("loaded-x")));
  }

  @Test
  void unresponsiveMemberDelaysTheWriteUntilTheViewExcludesItAndThenTheWriteCompletes() {
    // node-3 is cut off: it stops acknowledging at once but is removed only after the heartbeat timeout (2 s), well
    // after the 300 ms replication timeout; the write waits for its exclusion instead of failing
    kit = CacheKit.start(3, b -> b.replicationTimeout(Duration.ofMillis(300)));
    kit.cluster.partition(List.of("node-1", "node-2"), List.of("node-3"));
    kit.cache("node-2").put("s", "1");
    // node-2, the writer, completes the write on seeing the view without node-3 (node-1 may install it a moment apart)
    assertThat(kit.cluster.member("node-2").members()).as("writer's view when the write returned")
        .noneMatch(m -> m.name().equals("node-3"));
    assertThat(kit.cache("node-1").get("s")).isEqualTo("1");
    assertThat(kit.cache("node-2").stats().indeterminateWrites()).isZero();
  }

  @Test
  void unresponsiveMemberStillInTheViewAtTheWriteTimeoutMakesTheWriteIndeterminateAndTheRetryIsNotAppliedTwice()
      throws Exception {
    // the 1 s write timeout ends long before node-3's removal (heartbeat timeout 8 s), even on a loaded machine
    kit = CacheKit.start(3,
        b -> b.expectedMembers(3)
            .failureDetection(Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofMillis(500)),
        b -> b.replicationTimeout(Duration.ofMillis(300)).writeTimeout(Duration.ofSeconds(1)));
    kit.cluster.partition(List.of("node-1", "node-2"), List.of("node-3"));
    IndeterminateWriteException failure = null;
    try {
      kit.cache("node-2").put("i", "1");
    } catch (IndeterminateWriteException e) {
      failure = e;
    }
    assertThat(failure).as("write while node-3 is unresponsive but not yet removed").isNotNull();
    assertThat(failure.operationId()).hasSize(32);
    assertThat(kit.cache("node-2").stats().indeterminateWrites()).isEqualTo(1);
    Version applied = kit.cache("node-1").getVersioned("i").orElseThrow().version();

    kit.cluster.awaitViews(List.of("node-1", "node-2"), List.of("node-3"));
    IndeterminateWriteException first = failure;
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> kit.cache("node-2").retry(first).get());
    assertThat(kit.cache("node-1").getVersioned("i").orElseThrow().version()).isEqualTo(applied);
    assertThat(kit.cache("node-2").get("i")).isEqualTo("1");
  }

  @Test
  void aValueThatCannotBeDecodedFailsOnlyItsOwnReadAndReplicationOfOthersGoesOn() {
    PayloadCodec<String> picky = new PayloadCodec<>() {
      @Override
      public byte[] encode(String value) {
        return PayloadCodec.utf8().encode(value);
      }

      @Override
      public String decode(byte[] bytes) {
        String s = PayloadCodec.utf8().decode(bytes);
        if (s.startsWith("poison")) {
          throw new IllegalArgumentException("cannot decode " + s);
        }
        return s;
      }
    };
    kit = CacheKit.start(3);
    kit.all().forEach(ReplicatedCache::close);
    kit.caches.clear();
    for (String node : kit.cluster.names()) {
      kit.caches.put(node, ReplicatedCache.create(kit.cluster.member(node),
          CacheConfig.builder("test", PayloadCodec.utf8(), picky).build()));
    }
    kit.awaitAllReady();
    kit.cache("node-2").put("bad", "poison!");
    kit.cache("node-2").put("good", "fine");
    assertThatThrownBy(() -> kit.cache("node-3").get("bad")).isInstanceOf(CacheCodecException.class)
        .hasMessageContaining("cannot be decoded");
    assertThat(kit.cache("node-3").get("good")).isEqualTo("fine");
    assertThat(kit.cache("node-1").get("good")).isEqualTo("fine");
  }

  @Test
  void asyncWritesReachEveryMemberAndExpiryIsLocalOnTheInjectedTicker() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    kit = CacheKit.start(3, b -> b.writeMode(WriteMode.ASYNC).expireAfterWrite(Duration.ofSeconds(10))
        .ticker(now::get));
    kit.cache("node-3").put("a", "1");
    await().atMost(Duration.ofSeconds(60)).until(() -> "1".equals(kit.cache("node-2").get("a"))
        && "1".equals(kit.cache("node-1").get("a")));
    now.addAndGet(Duration.ofSeconds(11).toNanos());
    for (ReplicatedCache<String, String> c : kit.all()) {
      assertThat(c.get("a")).isNull();
    }
  }

  @Test
  void expiryIsNeverEarlyEvenWhenAnEntryIsOverwrittenWithinCaffeinesWriteTolerance() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    kit = CacheKit.start(1, b -> b.expireAfterWrite(Duration.ofSeconds(10)).ticker(now::get));
    ReplicatedCache<String, String> solo = kit.cache("node-1");
    solo.put("a", "1");
    now.addAndGet(Duration.ofMillis(500).toNanos());
    solo.put("a", "2"); // Caffeine keeps the first write time for an overwrite within a second
    now.addAndGet(Duration.ofMillis(9_700).toNanos()); // 10.2 s after the first write, 9.7 s after the last
    assertThat(solo.get("a")).isEqualTo("2");
    assertThat(solo.snapshot()).containsEntry("a", "2");
    now.addAndGet(Duration.ofMillis(300).toNanos()); // exactly 10 s after the last write
    assertThat(solo.get("a")).isNull();
    assertThat(solo.snapshot()).isEmpty();
    assertThat(solo.putIfAbsent("a", "3")).isTrue();
  }

  @Test
  void weightBoundRejectsNewKeysUnderRejectAndEvictsLocallyUnderEvict() {
    kit = CacheKit.start(1, b -> b.maximumWeight(10, (k, v) -> v.length()).fullPolicy(FullPolicy.REJECT));
    ReplicatedCache<String, String> solo = kit.cache("node-1");
    solo.put("a", "12345");
    solo.put("b", "12345");
    assertThatThrownBy(() -> solo.put("c", "1")).isInstanceOf(CacheFullException.class);
    solo.remove("a");
    solo.put("c", "1");
    assertThat(solo.stats().weight()).isEqualTo(6);
    kit.close();

    kit = CacheKit.start(1, b -> b.maximumWeight(10, (k, v) -> v.length()));
    ReplicatedCache<String, String> evicting = kit.cache("node-1");
    List<CacheEvent<String, String>> events = new CopyOnWriteArrayList<>();
    evicting.addListener(events::add);
    for (int i = 0; i < 10; i++) {
      evicting.put("k" + i, "12345");
    }
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(evicting.stats().evictions()).isPositive();
      assertThat(evicting.stats().weight()).isLessThanOrEqualTo(10);
      assertThat(events).anyMatch(e -> e instanceof CacheEvent.Evicted<String, String> ev && !ev.expired());
    });
  }

  @Test
  void minorityRefusesReadsToWhenConfiguredSo() {
    kit = CacheKit.start(3, b -> b.readsWithoutQuorum(false));
    kit.cache("node-1").put("r", "1");
    kit.cluster.partition(List.of("node-1", "node-2"), List.of("node-3"));
    kit.cluster.awaitViews(List.of("node-1", "node-2"), List.of("node-3"));
    assertThatThrownBy(() -> kit.cache("node-3").get("r")).isInstanceOf(NoQuorumException.class);
    assertThat(kit.cache("node-1").get("r")).isEqualTo("1");
  }
}
