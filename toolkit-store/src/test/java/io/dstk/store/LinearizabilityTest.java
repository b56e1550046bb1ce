package io.dstk.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Concurrent histories on several members, checked after the fact. */
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
  void concurrentPutCasGetOnOneKey_historiesAreLinearizable() throws Exception {
    Random seeds = new Random(42);
    for (int round = 0; round < 4; round++) {
      String key = "lin.reg." + round;
      List<RegisterChecker.Op> history = Collections.synchronizedList(new ArrayList<>());
      List<String> names = kit.cluster.names();
      ExecutorService pool = Executors.newFixedThreadPool(names.size());
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < names.size(); t++) {
        ClusterStore s = kit.store(names.get(t));
        Random rnd = new Random(seeds.nextLong());
        int thread = t;
        done.add(CompletableFuture.runAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          long lastSeen = 0;
          for (int i = 0; i < 6; i++) {
            long value = thread * 100L + i + 1;
            long invoke = System.nanoTime();
            switch (rnd.nextInt(3)) {
              case 0 -> {
                long v = s.put(key, RegisterChecker.bytes(value));
                history.add(RegisterChecker.Op.write(invoke, System.nanoTime(), value, v));
                lastSeen = v;
              }
              case 1 -> {
                var r = s.get(key);
                long val = r.map(x -> RegisterChecker.value(x.value())).orElse(0L);
                long ver = r.map(Versioned::version).orElse(0L);
                history.add(RegisterChecker.Op.read(invoke, System.nanoTime(), val, ver));
                lastSeen = ver;
              }
              default -> {
                CasResult r = s.compareAndSet(key, lastSeen, RegisterChecker.bytes(value));
                history.add(RegisterChecker.Op.cas(invoke, System.nanoTime(), lastSeen, value, r.success(),
                    r.version()));
                lastSeen = r.version();
              }
            }
          }
        }, pool));
      }
      go.countDown();
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      pool.shutdown();
      assertThat(RegisterChecker.isLinearizable(new ArrayList<>(history)))
          .as("history %s", history).isTrue();
    }
  }

  @Test
  void checkerRejectsAStaleRead() {
    // write(1) completes before read starts, yet the read returns the initial state.
    List<RegisterChecker.Op> bad = List.of(
        RegisterChecker.Op.write(0, 10, 1, 5),
        RegisterChecker.Op.read(20, 30, 0, 0));
    assertThat(RegisterChecker.isLinearizable(bad)).isFalse();
    List<RegisterChecker.Op> concurrent = List.of(
        RegisterChecker.Op.write(0, 30, 1, 5),
        RegisterChecker.Op.read(10, 20, 0, 0));
    assertThat(RegisterChecker.isLinearizable(concurrent)).isTrue();
    List<RegisterChecker.Op> twoCasWins = List.of(
        RegisterChecker.Op.cas(0, 30, 0, 1, true, 5),
        RegisterChecker.Op.cas(0, 30, 0, 2, true, 6));
    assertThat(RegisterChecker.isLinearizable(twoCasWins)).isFalse();
  }
}
