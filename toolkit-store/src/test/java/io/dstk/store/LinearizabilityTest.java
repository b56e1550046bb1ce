package io.dstk.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Concurrent histories on several members, checked after the fact: counters' results unique and dense, and every
 * key's history of map or counter operations linearizable ({@link HistoryChecker}).
 */
class LinearizabilityTest {
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
  void concurrentAddAndGetOnSeveralMembers_resultsAreUniqueAndDense() throws Exception {
    int threadsPerMember = 2;
    int opsPerThread = 40;
    List<String> names = kit.cluster.names();
    ConcurrentLinkedQueue<Long> results = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(names.size() * threadsPerMember);
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (String n : names) {
      StoreCounter c = kit.store(n).counter("lin.counter");
      for (int t = 0; t < threadsPerMember; t++) {
        done.add(CompletableFuture.runAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int i = 0; i < opsPerThread; i++) {
            results.add(c.addAndGet(1));
          }
        }, pool));
      }
    }
    go.countDown();
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    pool.shutdown();
    int total = names.size() * threadsPerMember * opsPerThread;
    assertThat(results).hasSize(total).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    assertThat(kit.store("node-4").counter("lin.counter").get()).isEqualTo(total);
  }

  @Test
  void concurrentMapAndCounterOpsOnSeveralKeysAndMembers_eachKeysHistoryIsLinearizable() throws Exception {
    Random seeds = new Random(42);
    List<String> names = kit.cluster.names();
    int threadsPerMember = 2;
    int opsPerThread = 16;
    for (int round = 0; round < 4; round++) {
      // Three map keys and two counters; each thread picks a key and an operation at random for every step.
      List<String> keys = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        keys.add("lin.map." + round + "." + k);
      }
      for (int k = 0; k < 2; k++) {
        keys.add("lin.cnt." + round + "." + k);
      }
      Map<String, List<HistoryChecker.Op>> histories = new ConcurrentHashMap<>();
      keys.forEach(k -> histories.put(k, Collections.synchronizedList(new ArrayList<>())));
      ExecutorService pool = Executors.newFixedThreadPool(names.size() * threadsPerMember);
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < names.size() * threadsPerMember; t++) {
        ClusterStore s = kit.store(names.get(t % names.size()));
        Random rnd = new Random(seeds.nextLong());
        int thread = t;
        done.add(CompletableFuture.runAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          Map<String, Long> lastSeen = new HashMap<>();
          for (int i = 0; i < opsPerThread; i++) {
            String key = keys.get(rnd.nextInt(keys.size()));
            long seen = lastSeen.getOrDefault(key, 0L);
            HistoryChecker.Op op = key.startsWith("lin.map.")
                ? mapOp(s, key, rnd.nextInt(4), seen, thread * 1000L + i + 1)
                : counterOp(s.counter(key), rnd.nextInt(3), seen, 1 + rnd.nextInt(3));
            histories.get(key).add(op);
            lastSeen.put(key, switch (op.kind()) {
              case WRITE, READ, CAS -> op.version();
              case DELETE -> 0L;
              case COUNTER_GET, COUNTER_ADD -> op.value();
              default -> op.success() ? op.value() : seen;
            });
          }
        }, pool));
      }
      go.countDown();
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      pool.shutdown();
      assertThat(histories.values().stream().mapToInt(List::size).sum())
          .isEqualTo(names.size() * threadsPerMember * opsPerThread);
      for (Map.Entry<String, List<HistoryChecker.Op>> e : histories.entrySet()) {
        List<HistoryChecker.Op> h = new ArrayList<>(e.getValue());
        assertThat(HistoryChecker.isLinearizable(h)).as("history of %s: %s", e.getKey(), h).isTrue();
      }
    }
  }

  /** Runs a put (0), get (1), compareAndSet against the version last seen (2) or delete (3) and records it. */
  private static HistoryChecker.Op mapOp(ClusterStore s, String key, int which, long seen, long value) {
    long invoke = System.nanoTime();
    switch (which) {
      case 0 -> {
        long v = s.put(key, HistoryChecker.bytes(value));
        return HistoryChecker.Op.write(invoke, System.nanoTime(), value, v);
      }
      case 1 -> {
        Optional<Versioned> r = s.get(key);
        return HistoryChecker.Op.read(invoke, System.nanoTime(),
            r.map(x -> HistoryChecker.value(x.value())).orElse(0L), r.map(Versioned::version).orElse(0L));
      }
      case 2 -> {
        CasResult r = s.compareAndSet(key, seen, HistoryChecker.bytes(value));
        return HistoryChecker.Op.cas(invoke, System.nanoTime(), seen, value, r.success(), r.version());
      }
      default -> {
        long v = s.delete(key);
        return HistoryChecker.Op.delete(invoke, System.nanoTime(), v);
      }
    }
  }

  /** Runs a get (0), addAndGet (1) or compareAndSet from the value last seen (2) and records it. */
  private static HistoryChecker.Op counterOp(StoreCounter c, int which, long seen, long delta) {
    long invoke = System.nanoTime();
    switch (which) {
      case 0 -> {
        long v = c.get();
        return HistoryChecker.Op.counterGet(invoke, System.nanoTime(), v);
      }
      case 1 -> {
        long v = c.addAndGet(delta);
        return HistoryChecker.Op.counterAdd(invoke, System.nanoTime(), delta, v);
      }
      default -> {
        boolean ok = c.compareAndSet(seen, seen + delta);
        return HistoryChecker.Op.counterCas(invoke, System.nanoTime(), seen, seen + delta, ok);
      }
    }
  }

  @Test
  void checkerRejectsHistoriesNoOrderExplains() {
    // write(1) completes before read starts, yet the read returns the initial state.
    List<HistoryChecker.Op> bad = List.of(
        HistoryChecker.Op.write(0, 10, 1, 5),
        HistoryChecker.Op.read(20, 30, 0, 0));
    assertThat(HistoryChecker.isLinearizable(bad)).isFalse();
    List<HistoryChecker.Op> concurrent = List.of(
        HistoryChecker.Op.write(0, 30, 1, 5),
        HistoryChecker.Op.read(10, 20, 0, 0));
    assertThat(HistoryChecker.isLinearizable(concurrent)).isTrue();
    List<HistoryChecker.Op> twoCasWins = List.of(
        HistoryChecker.Op.cas(0, 30, 0, 1, true, 5),
        HistoryChecker.Op.cas(0, 30, 0, 2, true, 6));
    assertThat(HistoryChecker.isLinearizable(twoCasWins)).isFalse();
    // A read after a completed delete still sees the value.
    List<HistoryChecker.Op> readAfterDelete = List.of(
        HistoryChecker.Op.write(0, 10, 1, 5),
        HistoryChecker.Op.delete(20, 30, 6),
        HistoryChecker.Op.read(40, 50, 1, 5));
    assertThat(HistoryChecker.isLinearizable(readAfterDelete)).isFalse();
    // Create-if-absent after a delete succeeds, and a second delete finds nothing.
    List<HistoryChecker.Op> recreate = List.of(
        HistoryChecker.Op.write(0, 10, 1, 5),
        HistoryChecker.Op.delete(20, 30, 6),
        HistoryChecker.Op.delete(40, 50, 0),
        HistoryChecker.Op.cas(60, 70, 0, 2, true, 7));
    assertThat(HistoryChecker.isLinearizable(recreate)).isTrue();
    // Two additions of 1 that both return 1.
    List<HistoryChecker.Op> lostUpdate = List.of(
        HistoryChecker.Op.counterAdd(0, 30, 1, 1),
        HistoryChecker.Op.counterAdd(0, 30, 1, 1));
    assertThat(HistoryChecker.isLinearizable(lostUpdate)).isFalse();
    // A counter compareAndSet from 0 that succeeds after a completed addition moved the counter.
    List<HistoryChecker.Op> staleCas = List.of(
        HistoryChecker.Op.counterAdd(0, 10, 2, 2),
        HistoryChecker.Op.counterCas(20, 30, 0, 5, true));
    assertThat(HistoryChecker.isLinearizable(staleCas)).isFalse();
    List<HistoryChecker.Op> overlappingCas = List.of(
        HistoryChecker.Op.counterAdd(0, 30, 2, 2),
        HistoryChecker.Op.counterCas(10, 20, 0, 5, true),
        HistoryChecker.Op.counterGet(40, 50, 2));
    assertThat(HistoryChecker.isLinearizable(overlappingCas)).isFalse();
    List<HistoryChecker.Op> casFirst = List.of(
        HistoryChecker.Op.counterAdd(0, 30, 2, 7),
        HistoryChecker.Op.counterCas(10, 20, 0, 5, true),
        HistoryChecker.Op.counterGet(40, 50, 7));
    assertThat(HistoryChecker.isLinearizable(casFirst)).isTrue();
  }
}
