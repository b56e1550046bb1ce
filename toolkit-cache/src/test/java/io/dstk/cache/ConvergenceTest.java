package io.dstk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConvergenceTest {
  private static CacheKit kit;

  @BeforeAll
  static void start() {
    kit = CacheKit.start(3);
  }

  @AfterAll
  static void stop() {
    kit.close();
  }

  /**
   * Each generated int encodes (member, operation, key, value); all operations of a sequence are issued at once from
   * the three members on 8 overlapping keys, then every member must hold the same map.
   */
  @Test
  void concurrentWritersOnOverlappingKeysLeaveEveryMemberWithTheSameMap() {
    qt().withFixedSeed(20261129L).withExamples(15).withShrinkCycles(20)
        .forAll(lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(1, 60))
        .checkAssert(ops -> {
          List<CompletableFuture<?>> all = new ArrayList<>();
          for (int op : ops) {
            ReplicatedCache<String, String> c = kit.all().get(op % 3);
            String key = "k" + (op / 3) % 8;
            String value = "v" + (op / 24) % 5;
            CompletableFuture<?> f = switch ((op / 120) % 5) {
              case 0 -> c.putAsync(key, value);
              case 1 -> c.putIfAbsentAsync(key, value);
              case 2 -> c.replaceAsync(key, value, value + "'");
              case 3 -> c.removeAsync(key);
              default -> c.computeAsync(key, (k, v) -> v == null ? "1" : v + "+");
            };
            all.add(f);
          }
          try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new AssertionError("operations failed", e);
          }
          kit.awaitConverged();
          assertThat(kit.cache("node-2").snapshot()).isEqualTo(kit.cache("node-1").snapshot());
          assertThat(kit.cache("node-3").snapshot()).isEqualTo(kit.cache("node-1").snapshot());
        });
  }

  @Test
  void metricsBinderExposesTheCountersUnderDstkCacheNames() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new CacheMetrics(kit.cache("node-1"), List.of()).bindTo(registry);
    kit.cache("node-1").put("m", "1");
    kit.cache("node-1").get("m");
    assertThat(registry.get(CacheMetrics.PUTS).functionCounter().count()).isPositive();
    assertThat(registry.get(CacheMetrics.GETS).tag("result", "hit").functionCounter().count()).isPositive();
    assertThat(registry.get(CacheMetrics.ENTRIES).gauge().value()).isPositive();
    assertThat(registry.get(CacheMetrics.REPLICATIONS).functionCounter().count()).isPositive();
  }
}
