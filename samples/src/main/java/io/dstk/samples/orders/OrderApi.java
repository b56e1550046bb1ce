package io.dstk.samples.orders;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP API of an order node on the JDK's {@link HttpServer}: routes, strict JSON bodies, JSON errors.
 *
 * <ul>
 *   <li>{@code POST /orders} {@code {"customer":"c1","item":"book","quantity":2}} → 201 with the order
 *   <li>{@code GET /orders/{id}} → 200, 404 for an unknown id, 400 for a malformed one
 *   <li>{@code PUT /orders/{id}/status} {@code {"status":"PAID"}} → 200, 409 for a transition not allowed
 *   <li>{@code GET /metrics} Prometheus text; {@code GET /health}; {@code GET /api/state}; {@code GET /} the dashboard
 * </ul>
 *
 * <p>Bodies are read through a bounded stream ({@value #MAX_BODY_BYTES} bytes at most, else 413); unknown or missing
 * fields, wrong types and trailing content are 400. Every error is {@code {"error":"..."}} and changes nothing.
 */
public final class OrderApi {
  /** The largest request body accepted. */
  public static final int MAX_BODY_BYTES = 4096;

  private static final Pattern ORDER = Pattern.compile("/orders/([^/]+)");
  private static final Pattern STATUS = Pattern.compile("/orders/([^/]+)/status");
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private final OrderService service;
  private final byte[] dashboard;

  /**
   * Creates the API of a node.
   *
   * @param service the node
   * @param dashboard the dashboard page
   */
  public OrderApi(OrderService service, byte[] dashboard) {
    this.service = service;
    this.dashboard = dashboard.clone();
  }

  /**
   * Registers the routes on a server.
   *
   * @param server the server, not started
   */
  public void register(HttpServer server) {
    server.createContext("/", this::handle);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (ApiException e) {
        if (e.retryAfterSeconds() >= 0) {
          exchange.getResponseHeaders().set("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        sendJson(exchange, e.status(), Map.of("error", e.getMessage()));
      } catch (IllegalArgumentException e) {
        sendJson(exchange, 400, Map.of("error", e.getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sendJson(exchange, 503, Map.of("error", "the node is shutting down"));
      } catch (RuntimeException e) {
        System.err.println("request " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " failed: " + e);
        sendJson(exchange, 500, Map.of("error", "internal error: " + e.getClass().getSimpleName()));
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException, InterruptedException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    Matcher status = STATUS.matcher(path);
    Matcher order = ORDER.matcher(path);
    if (path.equals("/orders")) {
      allow(method, "POST");
      Order placed = createOrder(readObject(exchange, Set.of("customer", "item", "quantity")));
      exchange.getResponseHeaders().set("Location", "/orders/" + placed.id());
      sendJson(exchange, 201, view(placed));
    } else if (status.matches()) {
      allow(method, "PUT");
      long id = parseId(status.group(1));
      JsonNode body = readObject(exchange, Set.of("status"));
      String name = text(body, "status");
      OrderStatus next = OrderStatus.parse(name).orElseThrow(() -> new IllegalArgumentException(
          "status must be one of NEW, PAID, SHIPPED, CANCELLED: '" + name + "'"));
      sendJson(exchange, 200, view(service.updateStatus(id, next)));
    } else if (order.matches()) {
      allow(method, "GET");
      long id = parseId(order.group(1));
      Order found = service.get(id).orElseThrow(() -> new ApiException(404, "no order with id " + id));
      sendJson(exchange, 200, view(found));
    } else if (path.equals("/health")) {
      allow(method, "GET");
      boolean up = service.isHealthy();
      sendJson(exchange, up ? 200 : 503, Map.of("status", up ? "UP" : "DOWN"));
    } else if (path.equals("/metrics")) {
      allow(method, "GET");
      send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", service.scrape().getBytes(StandardCharsets.UTF_8));
    } else if (path.equals("/api/state")) {
      allow(method, "GET");
      sendJson(exchange, 200, service.state());
    } else if (path.equals("/") || path.equals("/index.html")) {
      allow(method, "GET");
      send(exchange, 200, "text/html; charset=utf-8", dashboard);
    } else {
      throw new ApiException(404, "no such resource: " + path);
    }
  }

  private Order createOrder(JsonNode body) throws InterruptedException {
    String customer = text(body, "customer");
    String item = text(body, "item");
    JsonNode quantity = body.get("quantity");
    if (quantity == null || !quantity.isIntegralNumber()) {
      throw new IllegalArgumentException("quantity must be an integer: " + quantity);
    }
    if (!quantity.canConvertToInt()) {
      throw new IllegalArgumentException("quantity must be in 1.." + Order.MAX_QUANTITY + ": " + quantity);
    }
    return service.place(customer, item, quantity.intValue());
  }

  private static void allow(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw new ApiException(405, "method " + method + " not allowed here; use " + allowed);
    }
  }

  private static long parseId(String text) {
    try {
      long id = Long.parseLong(text);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("order id must be a positive integer: '"
        + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'");
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string: " + value);
    }
    return value.textValue();
  }

  private static JsonNode readObject(HttpExchange exchange, Set<String> fields) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null && length.length() > 9) {
      throw new ApiException(413, "request body over " + MAX_BODY_BYTES + " bytes");
    }
    if (length != null && Long.parseLong(length) > MAX_BODY_BYTES) {
      throw new ApiException(413, "request body of " + length + " bytes is over " + MAX_BODY_BYTES + " bytes");
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1); // bounded: never more than the cap plus one byte
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new ApiException(413, "request body over " + MAX_BODY_BYTES + " bytes");
    }
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("the body must be a JSON object with fields " + fields);
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        throw new IllegalArgumentException("unknown field '" + name + "'; expected " + fields);
      }
    }
    return node;
  }

  private static Map<String, Object> view(Order o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", Long.toString(o.id())); // a string: JavaScript numbers lose precision above 2^53
    m.put("customer", o.customer());
    m.put("item", o.item());
    m.put("quantity", o.quantity());
    m.put("status", o.status().name());
    m.put("createdMillis", o.createdMillis());
    m.put("updatedMillis", o.updatedMillis());
    return m;
  }

  private static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
    send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
