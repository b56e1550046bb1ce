package io.dstk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dstk.membership.PayloadCodec;
import io.dstk.membership.Registration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReplicatedCacheTest {
  private static CacheKit kit;

  @BeforeAll
  static void start() {
    kit = CacheKit.start(3);
  }

  @AfterAll
  static void stop() {
    kit.close();
  }

  private static ReplicatedCache<String, String> n(int i) {
    return kit.cache("node-" + i);
  }

  @Test
  void aMessageCapAboveTheClustersIsRejectedAtCreation() {
    var cluster = kit.cluster.member("node-1");
    CacheConfig<String, String> tooLarge = CacheConfig.builder("too-large", PayloadCodec.utf8(), PayloadCodec.utf8())
        .maxMessageBytes(cluster.maxMessageBytes() * 2).build();
    assertThatThrownBy(() -> ReplicatedCache.create(cluster, tooLarge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxMessageBytes " + cluster.maxMessageBytes() * 2)
        .hasMessageContaining("cluster's maxMessageBytes " + cluster.maxMessageBytes());
    // the name stays free: a valid config of the same name opens
    CacheConfig<String, String> fits = CacheConfig.builder("too-large", PayloadCodec.utf8(), PayloadCodec.utf8())
        .build();
    try (ReplicatedCache<String, String> c = ReplicatedCache.create(cluster, fits)) {
      assertThat(c.config().maxMessageBytes()).isLessThanOrEqualTo(cluster.maxMessageBytes());
    }
  }

  @Test
  void syncPutOnAnyMemberIsReadableOnEveryMemberWhenItReturns() {
    n(2).put("a", "1");
    n(3).put("b", "2");
    for (int i = 1; i <= 3; i++) {
      assertThat(n(i).get("a")).isEqualTo("1");
      assertThat(n(i).get("b")).isEqualTo("2");
      assertThat(n(i).getAll(List.of("a", "b", "zz"))).isEqualTo(Map.of("a", "1", "b", "2"));
    }
  }

  @Test
  void conditionalOperationsSeeTheClusterWideState() {
    assertThat(n(2).putIfAbsent("c", "first")).isTrue();
    assertThat(n(3).putIfAbsent("c", "second")).isFalse();
    assertThat(n(1).replace("c", "wrong", "x")).isFalse();
    assertThat(n(3).replace("c", "first", "third")).isTrue();
    assertThat(n(1).get("c")).isEqualTo("third");
    assertThat(n(2).remove("c")).isTrue();
    assertThat(n(3).remove("c")).isFalse();
    for (int i = 1; i <= 3; i++) {
      assertThat(n(i).get("c")).isNull();
      assertThat(n(i).getVersioned("c")).hasValueSatisfying(v -> assertThat(v.isDeleted()).isTrue());
    }
  }

  @Test
  void racingPutIfAbsentHasExactlyOneWinnerAndRacingComputeLosesNoIncrement() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      AtomicInteger winners = new AtomicInteger();
      List<Future<?>> fs = new CopyOnWriteArrayList<>();
      for (int t = 0; t < 6; t++) {
        int member = 1 + t % 3;
        String value = "v" + t;
        fs.add(pool.submit(() -> {
          if (n(member).putIfAbsent("race", value)) {
            winners.incrementAndGet();
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get(30, TimeUnit.SECONDS);
      }
      assertThat(winners).hasValue(1);

      fs.clear();
      for (int t = 0; t < 6; t++) {
        int member = 1 + t % 3;
        fs.add(pool.submit(() -> {
          for (int k = 0; k < 10; k++) {
            n(member).compute("counter", (key, old) -> String.valueOf(old == null ? 1 : Integer.parseInt(old) + 1));
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
      for (int i = 1; i <= 3; i++) {
        assertThat(n(i).get("counter")).isEqualTo("60");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void asyncCallbacksAndComputeFunctionsNeverRunOnTheClustersReceivingThreads() throws Exception {
    // write messages are handled on JGroups' receiving threads, which complete the writes: the caller's code must
    // still run elsewhere
    List<String> threads = new CopyOnWriteArrayList<>();
    List<CompletableFuture<?>> all = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(n(2).putAsync("cb" + i, "v").thenRun(() -> threads.add(Thread.currentThread().getName())));
      all.add(n(3).removeAsync("cb" + i).whenComplete((r, e) -> threads.add(Thread.currentThread().getName())));
    }
    // concurrent increments of one key conflict, so compute runs its function again after a failed attempt
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int t = 0; t < 4; t++) {
        int node = 1 + t % 3;
        all.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 10; i++) {
            n(node).compute("cb-counter", (k, v) -> {
              threads.add(Thread.currentThread().getName());
              return String.valueOf(v == null ? 1 : Integer.parseInt(v) + 1);
            });
          }
        }, pool));
      }
      for (CompletableFuture<?> f : all) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(n(1).get("cb-counter")).isEqualTo("40");
    assertThat(threads).hasSizeGreaterThanOrEqualTo(80).noneMatch(name -> name.startsWith("jgroups"));
  }

  @Test
  void listenersSeeLocalAndClusterWideChanges() {
    List<CacheEvent<String, String>> onOne = new CopyOnWriteArrayList<>();
    Registration reg = n(1).addListener(onOne::add);
    try {
      n(1).put("l1", "local");
      n(2).put("l2", "remote");
      n(3).remove("l2");
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(onOne).anyMatch(e -> e instanceof CacheEvent.Written<String, String> w
            && w.key().equals("l1") && w.value().equals("local") && w.local());
        assertThat(onOne).anyMatch(e -> e instanceof CacheEvent.Written<String, String> w
            && w.key().equals("l2") && !w.local());
        assertThat(onOne).anyMatch(e -> e instanceof CacheEvent.Removed<String, String> r
            && r.key().equals("l2") && !r.local());
      });
    } finally {
      reg.close();
    }
  }

  @Test
  void badInputIsRejectedWithTypedExceptionsAndStoresNothing() {
    assertThatThrownBy(() -> n(1).put(null, "x")).isInstanceOf(NullPointerException.class).hasMessageContaining("key");
    assertThatThrownBy(() -> n(1).put("k", null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("value");
    String big = "x".repeat(256 * 1024 + 1);
    assertThatThrownBy(() -> n(2).put("big", big)).isInstanceOf(ValueTooLargeException.class)
        .hasMessageContaining("maxValueBytes");
    assertThat(n(1).get("big")).isNull();
    assertThat(n(2).stats().rejections()).isPositive();
  }

  @Test
  void statsCountHitsMissesAndPuts() {
    n(3).put("s", "1");
    n(3).get("s");
    n(3).get("missing-key");
    CacheStats s = n(3).stats();
    assertThat(s.hits()).isPositive();
    assertThat(s.misses()).isPositive();
    assertThat(s.puts()).isPositive();
    assertThat(s.entries()).isPositive();
    assertThat(n(1).stats().replicationCount()).isPositive();
  }

  @Test
  void asyncVariantsCompleteWithTheSameResults() throws Exception {
    n(2).putAsync("async", "1").get(10, TimeUnit.SECONDS);
    assertThat(n(3).putIfAbsentAsync("async", "2").get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(n(1).replaceAsync("async", "1", "3").get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(n(2).computeAsync("async", (k, v) -> v + "!").get(10, TimeUnit.SECONDS)).isEqualTo("3!");
    assertThat(n(3).removeAsync("async").get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(n(1).get("async")).isNull();
  }

  @Test
  void clearAsyncAndClearRemoveEveryKeyOnEveryMemberWhenTheyComplete() throws Exception {
    for (int i = 0; i < 20; i++) {
      n(1 + i % 3).put("clear" + i, "v" + i);
    }
    n(2).clearAsync().get(20, TimeUnit.SECONDS);
    for (int i = 1; i <= 3; i++) {
      assertThat(n(i).snapshot()).as("node-%d after clearAsync", i).isEmpty();
      assertThat(n(i).get("clear7")).isNull();
    }
    n(3).put("again", "1");
    n(1).clear();
    for (int i = 1; i <= 3; i++) {
      assertThat(n(i).snapshot()).as("node-%d after clear", i).isEmpty();
    }
    assertThat(n(3).clearAsync().get(10, TimeUnit.SECONDS)).as("clearing an empty cache").isNull();
  }

  @Test
  void sameCacheNameTwiceOnOneClusterIsRefused() {
    assertThatThrownBy(() -> ReplicatedCache.create(kit.cluster.member("node-1"),
        CacheConfig.builder("test", PayloadCodec.utf8(), PayloadCodec.utf8()).build()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("test");
  }
}
