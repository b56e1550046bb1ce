package io.dstk.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The order service as three real node processes, over HTTP: limits, bad requests, and a {@code kill -9}.
 * The verify tests share one cluster (the kill runs last); the chaos profile repeats the kill on fresh clusters.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OrderServiceProcessTest {
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final List<String> NAMES = List.of("n1", "n2", "n3");
  /** One order per second per customer, bursts of 5: 20 orders sent at once are certainly limited. */
  private static final List<String> FLAGS = List.of("--customer-limit", "5", "--customer-period-s", "5",
      "--process-every-ms", "0");

  private static LocalNodes shared;
  private final OrderClient client = new OrderClient();

  private static LocalNodes shared() throws Exception {
    if (shared == null) {
      shared = startThree();
    }
    return shared;
  }

  private static LocalNodes startThree() throws Exception {
    Path logs = Files.createTempDirectory("orders-test-");
    LocalNodes nodes = new LocalNodes("orders-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
        LocalNodes.freeBasePort(), NAMES, FLAGS, logs);
    try {
      nodes.startAll(NAMES);
      return nodes;
    } catch (RuntimeException e) {
      nodes.close();
      throw e;
    }
  }

  @AfterAll
  static void stopNodes() {
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }

  @Test
  @Order(1)
  void ordersOverTheCustomerLimitGet429WithRetryAfter() throws Exception {
    List<URI> urls = urls(shared());
    List<Future<OrderClient.Response>> sent = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      for (int i = 0; i < 20; i++) {
        URI url = urls.get(i % 3);
        sent.add(pool.submit(() -> client.placeOrder(url, "greedy", "book", 1)));
      }
    } finally {
      pool.shutdown();
    }
    List<OrderClient.Response> answers = new ArrayList<>();
    for (Future<OrderClient.Response> f : sent) {
      answers.add(f.get(60, TimeUnit.SECONDS));
    }

    List<OrderClient.Response> limited = answers.stream().filter(r -> r.status() == 429).toList();
    assertThat(limited).isNotEmpty();
    assertThat(answers).allSatisfy(r -> assertThat(r.status()).isIn(201, 429));
    for (OrderClient.Response r : limited) {
      assertThat(r.retryAfter()).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
      assertThat(r.json().get("error").asText()).contains("greedy", "limit");
    }
  }

  @Test
  @Order(2)
  void badRequestsGet4xxJsonErrorsAndChangeNothing() throws Exception {
    List<URI> urls = urls(shared());
    URI a = urls.get(0);
    JsonNode order = placeAccepted(a, "careful", "lamp", 2);
    String id = order.get("id").asText();
    long totalBefore = client.state(a).get("orders").get("total").asLong();

    assertError(client.send(a, "POST", "/orders", "{\"customer\":\"x\",\"item\":"), 400, "malformed JSON");
    assertError(client.send(a, "POST", "/orders", "{\"customer\":\"x\",\"item\":\"y\"}"), 400, "quantity");
    assertError(client.send(a, "POST", "/orders", "{\"customer\":\"x\",\"item\":\"y\",\"quantity\":0}"), 400,
        "quantity");
    assertError(client.send(a, "POST", "/orders", "{\"customer\":\"x\",\"item\":\"y\",\"quantity\":1,\"price\":9}"),
        400, "unknown field");
    assertError(client.send(a, "POST", "/orders", "{\"customer\":\"x\",\"item\":\"" + "y".repeat(5000) + "\","
        + "\"quantity\":1}"), 413, "4096");
    assertError(client.send(a, "GET", "/orders/987654321", null), 404, "no order");
    assertError(client.send(a, "GET", "/orders/not-a-number", null), 400, "positive integer");
    assertError(client.send(a, "PUT", "/orders/" + id + "/status", "{\"status\":\"SHIPPED\"}"), 409,
        "cannot become SHIPPED");
    assertError(client.send(a, "PUT", "/orders/" + id + "/status", "{\"status\":\"LOST\"}"), 400, "status");
    assertError(client.send(a, "PUT", "/orders/" + id + "/status", "[\"PAID\"]"), 400, "JSON object");
    assertError(client.send(a, "DELETE", "/orders/" + id, null), 405, "not allowed");
    assertError(client.send(a, "GET", "/nowhere", null), 404, "no such resource");

    for (URI url : urls) {
      OrderClient.Response r = client.send(url, "GET", "/orders/" + id, null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json()).isEqualTo(order);
      assertThat(client.state(url).get("orders").get("total").asLong()).isEqualTo(totalBefore);
    }

    OrderClient.Response paid = client.send(urls.get(1), "PUT", "/orders/" + id + "/status", "{\"status\":\"PAID\"}");
    assertThat(paid.status()).isEqualTo(200);
    assertThat(client.send(urls.get(2), "GET", "/orders/" + id, null).json().get("status").asText())
        .isEqualTo("PAID");
    assertError(client.send(urls.get(2), "PUT", "/orders/" + id + "/status", "{\"status\":\"PAID\"}"), 409,
        "cannot become PAID");
  }

  @Test
  @Order(3)
  void healthMetricsAndDashboardAreServed() throws Exception {
    URI url = urls(shared()).get(0);
    assertThat(client.send(url, "GET", "/health", null).json().get("status").asText()).isEqualTo("UP");
    assertThat(client.send(url, "GET", "/metrics", null).body())
        .contains("dstk_cache_entries", "dstk_membership_members", "dstk_ratelimit_budget_used",
            "dstk_idgen_ids_issued_total", "orders_placed_total");
    assertThat(client.send(url, "GET", "/", null).body()).contains("id=\"member-count\"", "/api/state");
  }

  @Test
  @Order(4)
  void acceptedOrdersSurviveKill9OfOneNode() throws Exception {
    killTrial(shared());
  }

  @Test
  @Order(5)
  void fullCacheGets507AndTheBudgetKillSwitchStopsEveryNode() throws Exception {
    List<String> flags = new ArrayList<>(FLAGS);
    flags.addAll(List.of("--max-orders", "2", "--budget", "3"));
    try (LocalNodes nodes = new LocalNodes("orders-budget-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
        LocalNodes.freeBasePort(), NAMES, flags, Files.createTempDirectory("orders-test-"))) {
      nodes.startAll(NAMES);
      List<URI> urls = urls(nodes);
      placeAccepted(urls.get(0), "budget-c", "a", 1);
      placeAccepted(urls.get(1), "budget-c", "b", 1);

      // The third order takes the budget's last unit (tripping it), then finds the cache full.
      assertError(placeNotLimited(urls.get(2), "budget-c"), 507, "full");
      for (URI url : urls) {
        await().atMost(AWAIT).until(() -> !client.state(url).get("accepting").asBoolean());
        assertError(placeNotLimited(url, "budget-d"), 503, "kill switch");
        JsonNode state = client.state(url);
        assertThat(state.get("budget").get("tripped").asBoolean()).isTrue();
        assertThat(state.get("orders").get("total").asInt()).isEqualTo(2);
      }
    }
  }

  @RepeatedTest(3)
  @Tag("chaos")
  void acceptedOrdersSurviveKill9OfOneNodeRepeated() throws Exception {
    try (LocalNodes nodes = startThree()) {
      killTrial(nodes);
    }
  }

  /** Places orders on every node, kills the coordinator with SIGKILL and reads every order from both survivors. */
  private void killTrial(LocalNodes nodes) throws Exception {
    List<URI> urls = urls(nodes);
    List<JsonNode> placed = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      placed.add(placeAccepted(urls.get(i % 3), "kill-trial-" + i, "item-" + i, i + 1));
    }
    String victim = client.state(urls.get(0)).get("coordinator").asText();

    nodes.kill9(victim);

    List<URI> survivors = urls(nodes);
    assertThat(survivors).hasSize(2);
    for (URI url : survivors) {
      await().atMost(AWAIT).until(() -> client.state(url).get("members").size() == 2);
      for (JsonNode order : placed) {
        OrderClient.Response r = client.send(url, "GET", "/orders/" + order.get("id").asText(), null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).isEqualTo(order);
      }
    }
  }

  /**
   * Places an order, retrying while the customer's limit refuses it: an owner node that started moments ago gives a
   * new customer no burst yet (its bucket fills at the rate), and the retries also cover a node that is refused.
   */
  private JsonNode placeAccepted(URI url, String customer, String item, int quantity) {
    AtomicReference<OrderClient.Response> last = new AtomicReference<>();
    await().atMost(AWAIT).until(() -> {
      last.set(client.placeOrder(url, customer, item, quantity));
      return last.get().status() == 201;
    });
    JsonNode order = last.get().json();
    assertThat(order.get("status").asText()).isEqualTo("NEW");
    assertThat(Map.of("customer", order.get("customer").asText(), "quantity", order.get("quantity").asInt()))
        .containsEntry("customer", customer).containsEntry("quantity", quantity);
    return order;
  }

  /** Places an order, retrying while it is refused by the customer limit (the owner may have started moments ago). */
  private OrderClient.Response placeNotLimited(URI url, String customer) {
    AtomicReference<OrderClient.Response> last = new AtomicReference<>();
    await().atMost(AWAIT).until(() -> {
      last.set(client.placeOrder(url, customer, "z", 1));
      return last.get().status() != 429;
    });
    return last.get();
  }

  private static void assertError(OrderClient.Response r, int status, String fragment) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.json().get("error").asText()).contains(fragment);
  }

  private static List<URI> urls(LocalNodes nodes) {
    return nodes.nodes().values().stream().map(LocalNodes.Node::url).toList();
  }
}
