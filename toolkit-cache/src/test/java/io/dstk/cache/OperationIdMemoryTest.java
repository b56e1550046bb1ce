package io.dstk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.PayloadCodec;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An applied operation stays known to the de-duplication of retries however its entry goes: overwritten, removed,
 * evicted or purged as a tombstone. A write that is never overwritten costs the id table nothing.
 */
class OperationIdMemoryTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private EventDispatcher<String, String> events;

  private LocalStore<String, String> store(int maximumSize) {
    CacheConfig<String, String> config = CacheConfig.builder("ids", PayloadCodec.utf8(), PayloadCodec.utf8())
        .maximumSize(maximumSize).tombstoneRetention(Duration.ofSeconds(10)).ticker(now::get).build();
    CacheContext<String, String> ctx = new CacheContext<>(null, config);
    events = new EventDispatcher<>(ctx);
    return new LocalStore<>(ctx, events);
  }

  @AfterEach
  void tearDown() {
    if (events != null) {
      events.shutdown();
    }
  }

  private StoredEntry entry(long op, long seq, String value) {
    return new StoredEntry(new Version(1, seq), value == null ? null : value.getBytes(), 7, op, now.get());
  }

  @Test
  void anEntryCarriesItsOwnIdUntilAnotherWriteDisplacesIt() {
    LocalStore<String, String> store = store(100);
    store.apply("k", entry(1, 1, "a"));
    assertThat(store.appliedVersion("k", new OpId(7, 1))).isEqualTo(new Version(1, 1));
    assertThat(store.rememberedOperationIds()).as("never overwritten: nothing in the table").isZero();
    assertThat(store.appliedVersion("k", new OpId(7, 2))).isNull();

    store.apply("k", entry(2, 2, "b"));
    store.apply("k", entry(3, 3, null)); // removed: a tombstone carries op 3
    assertThat(store.appliedVersion("k", new OpId(7, 1))).isEqualTo(new Version(1, 1));
    assertThat(store.appliedVersion("k", new OpId(7, 2))).isEqualTo(new Version(1, 2));
    assertThat(store.appliedVersion("k", new OpId(7, 3))).isEqualTo(new Version(1, 3));
    assertThat(store.rememberedOperationIds()).isEqualTo(2);
  }

  @Test
  void aDuplicateOrOlderEntryDisplacesNothing() {
    LocalStore<String, String> store = store(100);
    store.apply("k", entry(1, 5, "a"));
    store.apply("k", entry(1, 5, "a"));
    store.apply("k", entry(2, 4, "old"));
    assertThat(store.rememberedOperationIds()).isZero();
    store.rememberOp("k", entry(2, 4, "old")); // what state transfer does with an entry it does not keep
    assertThat(store.appliedVersion("k", new OpId(7, 2))).isEqualTo(new Version(1, 4));
    assertThat(store.appliedVersion("k", new OpId(7, 1))).isEqualTo(new Version(1, 5));
  }

  @Test
  void evictedEntriesAndPurgedTombstonesLeaveTheirIdsBehind() {
    LocalStore<String, String> store = store(2);
    for (int i = 1; i <= 20; i++) {
      store.apply("k" + i, entry(i, i, "v" + i));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> store.size() <= 2);
    for (int i = 1; i <= 20; i++) {
      assertThat(store.appliedVersion("k" + i, new OpId(7, i))).as("op %d", i).isEqualTo(new Version(1, i));
    }
    store.apply("gone", entry(100, 100, null));
    now.addAndGet(Duration.ofSeconds(11).toNanos());
    store.purgeTombstones();
    assertThat(store.tombstones()).isZero();
    assertThat(store.appliedVersion("gone", new OpId(7, 100))).isEqualTo(new Version(1, 100));
  }
}
