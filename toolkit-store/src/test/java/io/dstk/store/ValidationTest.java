package io.dstk.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dstk.membership.PayloadCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input, limits, configuration checks and meters. */
class ValidationTest {
  private static StoreKit kit;

  @BeforeAll
  static void start() {
    kit = StoreKit.start(3, b -> b.maxKeys(5).maxValueBytes(16));
  }

  @AfterAll
  static void stop() {
    kit.close();
  }

  @Test
  void badArguments_areRefusedBeforeAnythingIsSent_withMessagesNamingTheParameter() {
    ClusterStore s = kit.store("node-1");
    long before = s.stats().operations();
    assertThatThrownBy(() -> s.put("k", new byte[17])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxValueBytes=16").hasMessageContaining("17");
    assertThatThrownBy(() -> s.put("x".repeat(257), new byte[1])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key must be 1..256 UTF-8 bytes");
    assertThatThrownBy(() -> s.get("")).hasMessageContaining("key");
    assertThatThrownBy(() -> s.put(null, new byte[1])).isInstanceOf(NullPointerException.class).hasMessage("key");
    assertThatThrownBy(() -> s.tryAcquire("l", Duration.ofMillis(10))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl must be in PT0.1S..PT1M");
    assertThatThrownBy(() -> s.compareAndSet("k", -1, new byte[1])).hasMessageContaining("expectedVersion");
    assertThat(s.stats().operations()).isEqualTo(before);
  }

  @Test
  void typedMap_capsTheEncodedBytes_andChecksPrefixAndKeyLengths() {
    ClusterStore s = kit.store("node-3");
    StoreMap<String> m = s.map("t.", PayloadCodec.utf8());
    long before = s.stats().operations();
    // 9 characters, 18 UTF-8 bytes: over maxValueBytes=16.
    assertThatThrownBy(() -> m.put("k", "é".repeat(9))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxValueBytes=16").hasMessageContaining("18");
    assertThatThrownBy(() -> m.put("k", null)).isInstanceOf(NullPointerException.class).hasMessage("value");
    assertThatThrownBy(() -> m.get("x".repeat(255))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key must be 1..254 UTF-8 bytes after the prefix 't.': 255 bytes");
    assertThatThrownBy(() -> m.get("")).hasMessageContaining("key must be 1..254");
    assertThatThrownBy(() -> s.map("p".repeat(256), PayloadCodec.utf8())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefix must be at most 255 UTF-8 bytes: 256 bytes");
    assertThatThrownBy(() -> s.map(null, PayloadCodec.utf8())).isInstanceOf(NullPointerException.class)
        .hasMessage("prefix");
    assertThat(s.stats().operations()).isEqualTo(before);
  }

  @Test
  void keyCap_refusesNewKeysWithATypedException_andLeavesTheStoreIntact() {
    ClusterStore s = kit.store("node-2");
    for (int i = 0; i < 5; i++) {
      s.put("cap." + i, new byte[] {(byte) i});
    }
    assertThatThrownBy(() -> s.put("cap.5", new byte[1])).isInstanceOf(StoreLimitException.class)
        .hasMessageContaining("maxKeys=5");
    assertThatThrownBy(() -> s.counter("cap.c").addAndGet(1)).isInstanceOf(StoreLimitException.class);
    assertThat(s.put("cap.0", new byte[] {9})).isPositive();
    assertThat(s.get("cap.0").orElseThrow().value()).containsExactly(9);
    assertThat(s.delete("cap.4")).isPositive();
    assertThat(s.delete("cap.4")).isZero();
  }

  @Test
  void config_validatesEachSettingAndNamesIt() {
    assertThatThrownBy(() -> StoreConfig.voters("a", "b")).hasMessageContaining("3 or 5");
    assertThatThrownBy(() -> StoreConfig.voters("a", "b", "a")).hasMessageContaining("voter named twice: 'a'");
    assertThatThrownBy(() -> StoreConfig.voters("a", " ", "c")).hasMessageContaining("blank");
    StoreConfig.Builder b = StoreConfig.voters("a", "b", "c");
    assertThatThrownBy(() -> b.storeName("bad name")).hasMessageContaining("storeName");
    assertThatThrownBy(() -> b.ports(0, 10)).hasMessageContaining("base port");
    assertThatThrownBy(() -> b.maxKeys(0)).hasMessageContaining("maxKeys must be in 1..1000000: 0");
    assertThatThrownBy(() -> b.maxValueBytes(2 << 20)).hasMessageContaining("maxValueBytes");
    assertThatThrownBy(() -> b.ttlBounds(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("maxTtl");
    assertThatThrownBy(() -> b.seeds("nohost")).hasMessageContaining("host:port");
    assertThatThrownBy(() -> b.operationTimeout(Duration.ZERO)).hasMessageContaining("operationTimeout");
    assertThatThrownBy(() -> StoreConfig.voters("a", "b", "c").maxClockDrift(Duration.ofSeconds(2)).build())
        .hasMessageContaining("maxClockDrift (PT2S) must be below minTtl (PT1S)");
    assertThatThrownBy(() -> b.dedupWindow(0, Duration.ofMinutes(1))).hasMessageContaining(
        "dedup maxEntries must be in 1..1000000: 0");
    assertThatThrownBy(() -> b.dedupWindow(10, Duration.ofMillis(10))).hasMessageContaining("dedup maxAge");
    assertThatThrownBy(() -> StoreConfig.voters("a", "b", "c").operationTimeout(Duration.ofSeconds(30))
        .dedupWindow(10, Duration.ofSeconds(20)).build())
        .hasMessageContaining("dedup maxAge (PT20S) must be at least operationTimeout (PT30S)");
    StoreConfig c = StoreConfig.voters("a", "b", "c", "d", "e").build();
    assertThat(c.dedupMaxEntries()).isEqualTo(50_000);
    assertThat(c.dedupMaxAge()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.majority()).isEqualTo(3);
    assertThat(c.toString()).contains("voters=[a, b, c, d, e]", "log=memory");
  }

  @Test
  void meters_reportLeaderTermCommitIndexLogSizeAndOperations() {
    String leader = kit.awaitLeader();
    ClusterStore s = kit.store(leader);
    s.counter("m.c").addAndGet(1);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new StoreMeterBinder(s).bindTo(registry);
    assertThat(registry.get(StoreMeterBinder.LEADER).tag("store", "store").gauge().value()).isEqualTo(1);
    assertThat(registry.get(StoreMeterBinder.QUORUM).gauge().value()).isEqualTo(1);
    assertThat(registry.get(StoreMeterBinder.TERM).gauge().value()).isPositive();
    assertThat(registry.get(StoreMeterBinder.COMMIT_INDEX).gauge().value()).isPositive();
    assertThat(registry.get(StoreMeterBinder.LOG_SIZE).gauge().value()).isPositive();
    assertThat(registry.get(StoreMeterBinder.OPERATIONS).functionTimer().count()).isPositive();
    assertThat(registry.get(StoreMeterBinder.FAILURES).tag("reason", "no_quorum").functionCounter().count())
        .isZero();
    assertThat(registry.get(StoreMeterBinder.DUPLICATES).functionCounter().count()).isZero();
  }
}
