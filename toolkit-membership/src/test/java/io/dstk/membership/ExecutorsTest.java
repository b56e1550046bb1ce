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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Executors, scheduler and ticker come from the config; the cluster never shuts down what it did not create. */
class ExecutorsTest {
  /** A scheduler whose timeouts fire only when the test says so (virtual time for request timeouts). */
  static final class ManualScheduler extends ScheduledThreadPoolExecutor {
    final List<Runnable> timeouts = new CopyOnWriteArrayList<>();

    ManualScheduler() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      timeouts.add(command);
      return super.schedule(() -> { }, 1, TimeUnit.DAYS);
    }

    void fireAll() {
      timeouts.forEach(Runnable::run);
    }
  }

  private static ExecutorService named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  private TestCluster kit;
  private final ExecutorService events = named("test-events-");
  private final ExecutorService messages = named("test-messages-");
  private final ManualScheduler scheduler = new ManualScheduler();

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.close();
    }
    events.shutdownNow();
    messages.shutdownNow();
    scheduler.shutdownNow();
  }

  @Test
  void listenersHandlersAndTimeoutsRunOnTheConfiguredExecutors() throws Exception {
    AtomicLong nanos = new AtomicLong();
    kit = TestCluster.start(2, b -> b.eventExecutor(events).messageExecutor(messages).scheduler(scheduler)
        .ticker(() -> nanos.addAndGet(1_000)));
    List<String> listenerThreads = new CopyOnWriteArrayList<>();
    kit.member("node-1").addListener(e -> listenerThreads.add(Thread.currentThread().getName()));
    Endpoint<String, String> echo = Endpoint.of("echo", PayloadCodec.utf8(), PayloadCodec.utf8());
    Endpoint<String, String> silent = Endpoint.of("silent", PayloadCodec.utf8(), PayloadCodec.utf8());
    List<String> handlerThreads = new CopyOnWriteArrayList<>();
    kit.member("node-2").serve(echo, (from, q) -> {
      handlerThreads.add(Thread.currentThread().getName());
      return q;
    });
    CompletableFuture<String> never = new CompletableFuture<>();
    kit.member("node-2").serve(silent, (from, q) -> never.join());
    List<Long> latencies = new CopyOnWriteArrayList<>();
    ((DefaultCluster) kit.member("node-1")).latencyObserver(latencies::add);
    Member node2 = kit.member("node-1").view().member("node-2").orElseThrow();

    assertThat(kit.member("node-1").request(node2, echo, "x").get(30, TimeUnit.SECONDS)).isEqualTo("x");
    CompletableFuture<String> timedOut = kit.member("node-1").request(node2, silent, "y",
        RequestPolicy.defaults().withTimeout(Duration.ofHours(1)));
    await().atMost(Duration.ofSeconds(60)).until(() -> scheduler.timeouts.size() == 2);
    scheduler.fireAll(); // one hour passes
    kit.join("node-3");

    assertThatThrownBy(() -> timedOut.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(RequestTimeoutException.class);
    never.complete("late");
    await().atMost(Duration.ofSeconds(60)).until(() -> !listenerThreads.isEmpty());
    assertThat(listenerThreads).allMatch(t -> t.startsWith("test-events-"));
    assertThat(handlerThreads).isNotEmpty().allMatch(t -> t.startsWith("test-messages-"));
    // measured with the configured ticker, which advances 1 µs per reading
    assertThat(latencies.get(0)).isPositive().isLessThan(10_000L).satisfies(l -> assertThat(l % 1_000).isZero());

    kit.close();
    kit = null;
    assertThat(events.isShutdown()).isFalse();
    assertThat(messages.isShutdown()).isFalse();
    assertThat(scheduler.isShutdown()).isFalse();
  }

  @Test
  void dependentStagesOfARequestRunOnTheMessageExecutorWhileBlockedCallersWakeDirectly() throws Exception {
    kit = TestCluster.start(2, b -> b.messageExecutor(messages));
    Endpoint<String, String> gated = Endpoint.of("gated", PayloadCodec.utf8(), PayloadCodec.utf8());
    CountDownLatch registered = new CountDownLatch(1);
    kit.member("node-2").serve(gated, (from, q) -> {
      registered.await(30, TimeUnit.SECONDS);
      return "re:" + q;
    });
    Member node2 = kit.member("node-1").view().member("node-2").orElseThrow();
    CompletableFuture<String> response = kit.member("node-1").request(node2, gated, "q");
    CompletableFuture<String> applied = response.thenApply(r -> r + "@" + Thread.currentThread().getName());
    CompletableFuture<String> chained = applied.thenApply(r -> Thread.currentThread().getName());
    List<String> whenCompleteThreads = new CopyOnWriteArrayList<>();
    CompletableFuture<String> observed =
        response.whenComplete((r, e) -> whenCompleteThreads.add(Thread.currentThread().getName()));
    registered.countDown();

    assertThat(response.get(30, TimeUnit.SECONDS)).isEqualTo("re:q");
    assertThat(applied.get(30, TimeUnit.SECONDS)).startsWith("re:q@test-messages-");
    assertThat(chained.get(30, TimeUnit.SECONDS)).startsWith("test-messages-");
    assertThat(observed.get(30, TimeUnit.SECONDS)).isEqualTo("re:q");
    assertThat(whenCompleteThreads).singleElement().asString().startsWith("test-messages-");
    // a stage added after completion runs on the thread that adds it
    assertThat(response.thenApply(r -> Thread.currentThread().getName()).get())
        .isEqualTo(Thread.currentThread().getName());
  }

  @Test
  void directMessageExecutorAnswersOnTheReceivingThreadWithoutHandOffs() throws Exception {
    kit = TestCluster.start(2, b -> b.messageExecutor(Runnable::run));
    Endpoint<String, String> echo = Endpoint.of("echo", PayloadCodec.utf8(), PayloadCodec.utf8());
    List<String> handlerThreads = new CopyOnWriteArrayList<>();
    kit.member("node-2").serve(echo, (from, q) -> {
      handlerThreads.add(Thread.currentThread().getName());
      return "re:" + q;
    });
    Member node2 = kit.member("node-1").view().member("node-2").orElseThrow();
    List<String> answers = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(kit.member("node-1").request(node2, echo, "q" + i).get(30, TimeUnit.SECONDS));
    }
    assertThat(answers).hasSize(20).first().isEqualTo("re:q0");
    assertThat(handlerThreads).hasSize(20).noneMatch(t -> t.startsWith("dstk-membership-messaging-"));
  }

  @Test
  void aHandlerRegisteredWithItsOwnExecutorRunsThere_othersStayOnTheMessageExecutor() throws Exception {
    kit = TestCluster.start(2, b -> b.messageExecutor(messages));
    Topic<String> direct = Topic.of("direct", PayloadCodec.utf8());
    Topic<String> pooled = Topic.of("pooled", PayloadCodec.utf8());
    Endpoint<String, String> echo = Endpoint.of("echo-direct", PayloadCodec.utf8(), PayloadCodec.utf8());
    List<String> directThreads = new CopyOnWriteArrayList<>();
    List<String> pooledThreads = new CopyOnWriteArrayList<>();
    List<String> received = new CopyOnWriteArrayList<>();
    Cluster node2 = kit.member("node-2");
    node2.subscribe(direct, (from, m) -> {
      directThreads.add(Thread.currentThread().getName());
      received.add(m);
    }, Runnable::run);
    node2.subscribe(pooled, (from, m) -> pooledThreads.add(Thread.currentThread().getName()));
    node2.serve(echo, (from, q) -> {
      directThreads.add(Thread.currentThread().getName());
      return "re:" + q;
    }, Runnable::run);
    assertThatThrownBy(() -> node2.subscribe(direct, (from, m) -> { }, Runnable::run))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("direct");
    assertThatThrownBy(() -> node2.subscribe(Topic.of("x", PayloadCodec.utf8()), (from, m) -> { }, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("executor");

    Cluster node1 = kit.member("node-1");
    Member to = node1.view().member("node-2").orElseThrow();
    for (int i = 0; i < 20; i++) {
      node1.send(to, direct, "m" + i);
      node1.send(to, pooled, "p" + i);
    }
    assertThat(node1.request(to, echo, "q").get(30, TimeUnit.SECONDS)).isEqualTo("re:q");
    await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == 20 && pooledThreads.size() == 20);
    // on the receiving thread, so in the order the sender sent them
    assertThat(received).isEqualTo(IntStream.range(0, 20).mapToObj(i -> "m" + i).toList());
    assertThat(directThreads).hasSize(21).noneMatch(t -> t.startsWith("test-messages-"));
    assertThat(pooledThreads).allMatch(t -> t.startsWith("test-messages-"));
  }
}
