package io.dstk.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MessagingTest {
  private static final Endpoint<String, String> ECHO =
      Endpoint.of("echo", PayloadCodec.utf8(), PayloadCodec.utf8());
  private static TestCluster kit;

  @BeforeAll
  static void startCluster() {
    kit = TestCluster.start(3);
    for (String n : kit.names()) {
      kit.member(n).serve(ECHO, (from, q) -> {
        if (q.equals("fail")) {
          throw new IllegalStateException("asked to fail");
        }
        return kit.member(n).self().name() + " got " + q + " from " + from.name();
      });
    }
  }

  @AfterAll
  static void stopCluster() {
    kit.close();
  }

  private static Member member(String name) {
    return kit.member("node-1").view().member(name).orElseThrow();
  }

  private static Throwable failureOf(CompletableFuture<?> f) {
    try {
      f.get(60, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + f.join());
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void requestReturnsTheRemoteResponse() throws Exception {
    String r = kit.member("node-1").request(member("node-2"), ECHO, "hi").get(10, TimeUnit.SECONDS);
    assertThat(r).isEqualTo("node-2 got hi from node-1");
  }

  @Test
  void concurrentRequestsFromManyThreadsEachGetTheirOwnAnswer() throws Exception {
    int threads = 4;
    int perThread = 100;
    List<CompletableFuture<Void>> workers = new java.util.ArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < perThread; i++) {
            String q = id + "-" + i;
            String target = i % 2 == 0 ? "node-2" : "node-3";
            String answer = kit.member("node-1").request(member(target), ECHO, q).join();
            assertThat(answer).isEqualTo(target + " got " + q + " from node-1");
          }
        }, pool));
      }
      CompletableFuture.allOf(workers.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(kit.member("node-1").stats().messagesSent()).isGreaterThanOrEqualTo(threads * perThread);
  }

  @Test
  void sendReachesOneMemberAndBroadcastReachesAllOthers() {
    Topic<Long> topic = Topic.of("numbers-" + System.nanoTime(), PayloadCodec.longs());
    List<String> received = new CopyOnWriteArrayList<>();
    for (String n : kit.names()) {
      kit.member(n).subscribe(topic, (from, v) -> received.add(n + "<-" + from.name() + ":" + v));
    }
    kit.member("node-1").send(member("node-3"), topic, 7L);
    kit.member("node-2").broadcast(topic, 9L);
    await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 3);
    assertThat(received).containsExactlyInAnyOrder("node-3<-node-1:7", "node-1<-node-2:9", "node-3<-node-2:9");
    assertThat(kit.member("node-1").stats().messagesSent()).isPositive();
  }

  @Test
  void handlerFailureAndMissingHandlerAreRemoteHandlerExceptions() {
    assertThat(failureOf(kit.member("node-1").request(member("node-2"), ECHO, "fail")))
        .isInstanceOf(RemoteHandlerException.class)
        .hasMessageContaining("asked to fail");
    Endpoint<String, String> nobody = Endpoint.of("nobody", PayloadCodec.utf8(), PayloadCodec.utf8());
    assertThat(failureOf(kit.member("node-1").request(member("node-2"), nobody, "x")))
        .isInstanceOf(RemoteHandlerException.class)
        .hasMessageContaining("no handler");
  }

  @Test
  void receiverOnAnotherViewAnswersStaleView() throws Exception {
    DefaultCluster c1 = (DefaultCluster) kit.member("node-1");
    long current = c1.view().id();
    assertThat(failureOf(c1.requestFromView(member("node-2"), ECHO, "hi", current - 1)))
        .isInstanceOf(StaleViewException.class)
        .hasMessageContaining("view " + current);
    assertThat(c1.request(member("node-2"), ECHO, "hi", RequestPolicy.defaults().withViewCheck(true))
        .get(10, TimeUnit.SECONDS)).startsWith("node-2 got hi");
  }

  @Test
  void requestToMemberNotInViewFailsAtOnce() {
    Member ghost = new Member("ghost", "00000000-0000-0000-0000-000000000001", 0, java.util.Map.of());
    CompletableFuture<String> f = kit.member("node-1").request(ghost, ECHO, "hi");
    assertThat(failureOf(f)).isInstanceOf(MemberUnavailableException.class).hasMessageContaining("ghost");
    assertThatThrownBy(() -> kit.member("node-1").send(ghost, Topic.of("t", PayloadCodec.utf8()), "x"))
        .isInstanceOf(MemberUnavailableException.class);
  }

  @Test
  void requestToMemberThatLeftFailsAtOnce() {
    kit.join("node-y");
    kit.awaitViews(List.of("node-1", "node-2", "node-3", "node-y"));
    Member departed = member("node-y");
    kit.leave("node-y");
    kit.awaitViews(List.of("node-1", "node-2", "node-3"));
    CompletableFuture<String> f = kit.member("node-1").request(departed, ECHO, "hi");
    assertThat(f).isCompletedExceptionally();
    assertThat(failureOf(f)).isInstanceOf(MemberUnavailableException.class).hasMessageContaining("node-y");
  }

  @Test
  void timeoutsAreRetriedThenOpenTheCircuit() {
    Endpoint<String, String> stuck = Endpoint.of("stuck", PayloadCodec.utf8(), PayloadCodec.utf8());
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Registration r = kit.member("node-3").serve(stuck, (from, q) -> {
      calls.incrementAndGet();
      never.await(10, TimeUnit.MINUTES); // released by the test: no answer can beat a timeout, however late
      return "late";
    });
    try {
      RequestPolicy policy = RequestPolicy.defaults()
          .withTimeout(Duration.ofMillis(150))
          .withRetries(3, Duration.ofMillis(10))
          .withCircuitBreaker(3, Duration.ofMinutes(10)); // stays open however slowly the test runs
      assertThat(failureOf(kit.member("node-1").request(member("node-3"), stuck, "a", policy)))
          .isInstanceOf(RequestTimeoutException.class);
      await().atMost(Duration.ofSeconds(60)).until(() -> calls.get() == 3);
      assertThat(failureOf(kit.member("node-1").request(member("node-3"), stuck, "b", policy)))
          .isInstanceOf(CircuitOpenException.class);
      assertThat(calls.get()).isEqualTo(3);
    } finally {
      never.countDown();
      r.close();
    }
  }

  @Test
  void singleAttemptTimeoutsOpenTheCircuitToo() {
    Endpoint<String, String> slow = Endpoint.of("slow", PayloadCodec.utf8(), PayloadCodec.utf8());
    CountDownLatch never = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Registration r = kit.member("node-2").serve(slow, (from, q) -> {
      calls.incrementAndGet();
      never.await(10, TimeUnit.MINUTES); // released by the test: no answer can beat a timeout, however late
      return "late";
    });
    try {
      RequestPolicy policy = RequestPolicy.defaults()
          .withTimeout(Duration.ofMillis(150))
          .withCircuitBreaker(2, Duration.ofMinutes(10)); // stays open however slowly the test runs
      for (int i = 0; i < 2; i++) {
        assertThat(failureOf(kit.member("node-3").request(member("node-2"), slow, "a", policy)))
            .isInstanceOf(RequestTimeoutException.class);
      }
      assertThat(failureOf(kit.member("node-3").request(member("node-2"), slow, "b", policy)))
          .isInstanceOf(CircuitOpenException.class)
          .hasMessageContaining("node-2");
      await().atMost(Duration.ofSeconds(60)).until(() -> calls.get() == 2);
    } finally {
      never.countDown();
      r.close();
    }
  }

  @Test
  void pendingRequestFailsFastWhenTheTargetCrashes() {
    Cluster extra = kit.join("node-x");
    kit.awaitViews(List.of("node-1", "node-2", "node-3", "node-x"));
    Endpoint<String, String> hang = Endpoint.of("hang", PayloadCodec.utf8(), PayloadCodec.utf8());
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    extra.serve(hang, (from, q) -> {
      entered.countDown();
      never.await(10, TimeUnit.MINUTES);
      return "late";
    });
    try {
      // a timeout far beyond the wait for the failure: failing with MemberUnavailableException (not a timeout)
      // within failureOf's wait is failing fast, however long the crash takes to detect on a loaded machine
      CompletableFuture<String> f = kit.member("node-1").request(member("node-x"), hang, "a",
          RequestPolicy.defaults().withTimeout(Duration.ofMinutes(10)));
      await().atMost(Duration.ofSeconds(60)).until(() -> entered.getCount() == 0);
      kit.kill("node-x");
      assertThat(failureOf(f)).isInstanceOf(MemberUnavailableException.class).hasMessageContaining("node-x");
    } finally {
      never.countDown();
    }
    kit.awaitViews(List.of("node-1", "node-2", "node-3"));
  }

  private static final String POOL_THREAD = "dstk-membership-messaging-";

  @Test
  void quickHandlersAnswerOnTheReceivingThreadAndABlockedOneDoesNotHoldUpOthers() throws Exception {
    Endpoint<String, String> where = Endpoint.of("where", PayloadCodec.utf8(), PayloadCodec.utf8());
    Endpoint<String, String> blocking = Endpoint.of("blocking", PayloadCodec.utf8(), PayloadCodec.utf8());
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Registration r1 = kit.member("node-2").serve(where, (from, q) -> Thread.currentThread().getName());
    Registration r2 = kit.member("node-2").serve(blocking, (from, q) -> {
      if (q.equals("first") && !Thread.currentThread().getName().startsWith(POOL_THREAD)) {
        entered.countDown();
        release.await(10, TimeUnit.MINUTES);
      }
      return Thread.currentThread().getName();
    });
    try {
      Cluster node1 = kit.member("node-1");
      // a request that JGroups happens to deliver in one batch with another message goes to the pool: ask again
      await().atMost(Duration.ofSeconds(60)).until(() -> !node1.request(member("node-2"), where, "?")
          .get(60, TimeUnit.SECONDS).startsWith(POOL_THREAD));
      AtomicReference<CompletableFuture<String>> first = new AtomicReference<>();
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        // answered at once if it ran on the pool; blocks (until released) on a receiving thread
        first.set(node1.request(member("node-2"), blocking, "first",
            RequestPolicy.defaults().withTimeout(Duration.ofMinutes(10))));
        return entered.await(2, TimeUnit.SECONDS) || !first.get().isDone() && entered.await(58, TimeUnit.SECONDS);
      });
      // the blocked run holds one receiving thread; the same handler's next request goes to the pool, and other
      // handlers still answer directly
      assertThat(node1.request(member("node-2"), blocking, "second").get(60, TimeUnit.SECONDS))
          .startsWith(POOL_THREAD);
      await().atMost(Duration.ofSeconds(60)).until(() -> !node1.request(member("node-2"), where, "?")
          .get(60, TimeUnit.SECONDS).startsWith(POOL_THREAD));
      release.countDown();
      assertThat(first.get().get(60, TimeUnit.SECONDS)).doesNotStartWith(POOL_THREAD);
    } finally {
      release.countDown();
      r1.close();
      r2.close();
    }
  }

  @Test
  void blockedHandlersHoldAtMostAQuarterOfTheReceivingThreads() throws Exception {
    int handlers = 8; // the default maxThreads of 16 lets at most 4 run on receiving threads at once
    CountDownLatch release = new CountDownLatch(1);
    List<String> threads = new CopyOnWriteArrayList<>();
    List<Registration> registrations = new java.util.ArrayList<>();
    List<CompletableFuture<String>> answers = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < handlers; i++) {
        Endpoint<String, String> e = Endpoint.of("held-" + i, PayloadCodec.utf8(), PayloadCodec.utf8());
        registrations.add(kit.member("node-3").serve(e, (from, q) -> {
          threads.add(Thread.currentThread().getName());
          release.await(10, TimeUnit.MINUTES);
          return "done";
        }));
        answers.add(kit.member("node-1").request(member("node-3"), e, "x",
            RequestPolicy.defaults().withTimeout(Duration.ofMinutes(10))));
        // one at a time, so that each arrives alone (a request delivered in a batch goes to the pool)
        int started = i + 1;
        await().atMost(Duration.ofSeconds(60)).until(() -> threads.size() == started);
      }
      assertThat(threads.stream().filter(t -> !t.startsWith(POOL_THREAD)).count()).isBetween(1L, 4L);
      assertThat(kit.member("node-1").request(member("node-3"), ECHO, "still there")
          .get(60, TimeUnit.SECONDS)).isEqualTo("node-3 got still there from node-1");
      assertThat(kit.member("node-3").members()).hasSize(3);
    } finally {
      release.countDown();
      registrations.forEach(Registration::close);
    }
    for (CompletableFuture<String> a : answers) {
      assertThat(a.get(60, TimeUnit.SECONDS)).isEqualTo("done");
    }
  }
}
